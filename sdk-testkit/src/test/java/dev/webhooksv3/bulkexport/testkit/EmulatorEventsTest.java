package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.EventSummary;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@WebhooksEmulatorTest(events = 250)
class EmulatorEventsTest {

    private WebhooksEmulator emulator;
    private RawHttp http;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
    }

    /** Follows _links.next from {@code first}; returns the ids of every page. */
    private List<String> allPages(String first, List<Integer> pageSizes) {
        List<String> ids = new ArrayList<>();
        String next = first;
        while (next != null) {
            HttpResponse<String> response = http.get(next);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = RawHttp.json(response);
            JsonNode events = page.at("/_embedded/events");
            pageSizes.add(events.size());
            events.forEach(event -> ids.add(event.get("id").asText()));
            next = page.at("/_links/next/href").isMissingNode() ? null : page.at("/_links/next/href").asText();
        }
        return ids;
    }

    @Test
    void eventsAreListedInPagesLinkedByNext() {
        List<Integer> sizes = new ArrayList<>();

        List<String> ids = allPages("/events?state=failure&limit=100", sizes);

        assertEquals(List.of(100, 100, 50), sizes);
        for (int i = 0; i < 250; i++) {
            assertEquals(emulator.eventId(i), ids.get(i));
        }
        JsonNode first = RawHttp.json(http.get("/events?limit=1")).at("/_embedded/events/0");
        assertEquals("failure", first.get("state").asText());
        assertTrue(first.hasNonNull("createdAt"));
    }

    @Test
    void afterCursorStartsAfterTheGivenEvent() {
        JsonNode page = RawHttp.json(http.get("/events?after=" + emulator.eventId(9) + "&limit=2"));

        assertEquals(emulator.eventId(10), page.at("/_embedded/events/0/id").asText());
        assertEquals(emulator.eventId(11), page.at("/_embedded/events/1/id").asText());
    }

    @Test
    void stateFilterSeparatesFailedFromRedeliveredEvents() {
        http.post("/events/" + emulator.eventId(3) + "/redeliver");
        http.post("/events/" + emulator.eventId(100) + "/redeliver");

        List<String> failed = allPages("/events?state=failure&limit=100", new ArrayList<>());
        List<String> retrying = allPages("/events?state=awaiting-retry", new ArrayList<>());

        assertEquals(248, failed.size());
        assertFalse(failed.contains(emulator.eventId(3)));
        assertEquals(List.of(emulator.eventId(3), emulator.eventId(100)), retrying);
        assertEquals(0, RawHttp.json(http.get("/events?state=success")).at("/_embedded/events").size());
        assertEquals(400, http.get("/events?state=sideways").statusCode());
        assertEquals(400, http.get("/events?limit=0").statusCode());
    }

    @Test
    void redeliverIs202ForAFailedEvent409OtherwiseAnd404ForAnUnknownOne() {
        String id = emulator.eventId(42);

        HttpResponse<String> accepted = http.post("/events/" + id + "/redeliver");
        assertEquals(202, accepted.statusCode());
        assertEquals("awaiting-retry", RawHttp.json(http.get("/events/" + id)).get("state").asText());

        assertEquals(409, http.post("/events/" + id + "/redeliver").statusCode());
        assertEquals(404, http.post("/events/00000000-0000-4000-8000-000000000000/redeliver").statusCode());
    }

    @Test
    void aDisabledSubscriptionRefusesRedeliveryWith409UntilEnabledAgain() {
        String id = emulator.eventId(5);
        emulator.faults().disableSubscription(true);

        HttpResponse<String> refused = http.post("/events/" + id + "/redeliver");

        assertEquals(409, refused.statusCode());
        assertEquals("Subscription " + emulator.subscriptionId() + " is disabled",
                RawHttp.json(refused).get("details").asText());
        assertEquals("failure", RawHttp.json(http.get("/events/" + id)).get("state").asText());
        emulator.faults().clear();
        assertEquals(202, http.post("/events/" + id + "/redeliver").statusCode());
    }

    @Test
    void summaryCountsRedeliveredEventsAsRetrying(BulkExportClient client) {
        http.post("/events/" + emulator.eventId(0) + "/redeliver");

        EventSummary summary = client.summary(emulator.subscriptionId());

        assertEquals(250, summary.total());
        assertEquals(249, summary.failed());
        assertEquals(1, summary.retrying());
        assertEquals(249, summary.exportable());
    }
}
