package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.FakeTime;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class EmulatorEventsTest {

    private static final int EVENTS = 250;
    private static final Duration DELAY = Duration.ofSeconds(3);

    private final FakeTime clock = new FakeTime();
    private final Instant start = clock.instant();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(EVENTS).clock(clock).redeliveryDelay(DELAY)).withClient(client -> client.clock(clock));
    private WebhooksEmulator emulator;
    private RawHttp http;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
    }

    /** Follows _links.next from {@code first}; returns every event of every page. */
    private static List<JsonNode> allPages(RawHttp http, String first, List<Integer> pageSizes) {
        List<JsonNode> all = new ArrayList<>();
        String next = first;
        while (next != null) {
            HttpResponse<String> response = http.get(next);
            assertEquals(200, response.statusCode(), response.body());
            JsonNode page = RawHttp.json(response);
            JsonNode events = page.at("/_embedded/events");
            pageSizes.add(events.size());
            events.forEach(all::add);
            next = page.at("/_links/next/href").isMissingNode() ? null : page.at("/_links/next/href").asText();
        }
        return all;
    }

    private List<String> ids(String first) {
        return allPages(http, first, new ArrayList<>()).stream().map(event -> event.get("id").asText()).toList();
    }

    private JsonNode event(RawHttp raw, String id) {
        return RawHttp.json(raw.get("/events/" + id));
    }

    private List<String> seeded(String state) {
        long[] range = emulator.catalog().seededRange(state);
        List<String> ids = new ArrayList<>();
        for (long i = range[0]; i < range[1]; i++) {
            ids.add(emulator.catalog().eventId(i));
        }
        return ids;
    }

    @Test
    void eventsAreListedInPagesLinkedByNext() {
        List<Integer> sizes = new ArrayList<>();

        List<JsonNode> failed = allPages(http, "/events?state=failure&limit=100", sizes);

        assertEquals(List.of(100, 100, 50), sizes);
        for (int i = 0; i < EVENTS; i++) {
            assertEquals(emulator.eventId(i), failed.get(i).get("id").asText());
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
    void theStoreHoldsAFewEventsOfEveryOtherStateAfterTheFailedOnesAllDatedInTheWeekBeforeTheStart() {
        List<JsonNode> all = allPages(http, "/events?limit=1000", new ArrayList<>());

        Map<String, Integer> counts = new HashMap<>();
        Instant previous = Instant.MIN;
        for (JsonNode event : all) {
            String state = event.get("state").asText();
            counts.merge(state, 1, Integer::sum);
            Instant created = Instant.parse(event.get("createdAt").asText());
            Instant updated = Instant.parse(event.get("updatedAt").asText());
            assertTrue(created.isAfter(previous), "in creation order: " + event);
            assertTrue(!created.isBefore(start.minus(Duration.ofDays(7))) && updated.isBefore(start), event.toString());
            assertFalse(updated.isBefore(created), event.toString());
            int attempts = event.get("attempts").asInt();
            switch (state) {
                case "failure" -> {
                    assertEquals(6, attempts);
                    assertTrue(updated.isAfter(created.plus(Duration.ofHours(24))), "retried for a day: " + event);
                }
                case "success" -> assertTrue(attempts >= 1 && attempts <= 3, event.toString());
                case "awaiting-retry" -> assertTrue(attempts >= 1 && attempts <= 5, event.toString());
                default -> assertEquals(0, attempts, event.toString());
            }
            assertFalse(event.get("exported").asBoolean(), "nothing was exported yet: " + event);
            previous = created;
        }
        assertEquals(EVENTS, counts.get("failure"));
        for (String state : List.of("success", "awaiting-retry", "awaiting-executing")) {
            assertTrue(counts.getOrDefault(state, 0) >= 1, "some " + state + ": " + counts);
            assertEquals(seeded(state), ids("/events?state=" + state));
        }
        assertEquals(all.size(), counts.values().stream().mapToInt(Integer::intValue).sum());
        assertEquals(emulator.catalog().total(), all.size());
    }

    @Test
    void stateFilterSeparatesFailedFromRedeliveredEvents() {
        http.post("/events/" + emulator.eventId(3) + "/redeliver");
        http.post("/events/" + emulator.eventId(100) + "/redeliver");

        List<String> failed = ids("/events?state=failure&limit=100");
        List<String> retrying = ids("/events?state=awaiting-retry");

        assertEquals(248, failed.size());
        assertFalse(failed.contains(emulator.eventId(3)));
        List<String> expected = new ArrayList<>(List.of(emulator.eventId(3), emulator.eventId(100)));
        expected.addAll(seeded("awaiting-retry"));
        assertEquals(expected, retrying);
        assertEquals(seeded("success"), ids("/events?state=success"));
        assertEquals(400, http.get("/events?state=sideways").statusCode());
        assertEquals(400, http.get("/events?limit=0").statusCode());
    }

    @Test
    void redeliverIs202ForAFailedEvent409OtherwiseAnd404ForAnUnknownOne() {
        String id = emulator.eventId(42);

        HttpResponse<String> accepted = http.post("/events/" + id + "/redeliver");
        assertEquals(202, accepted.statusCode());
        assertEquals("awaiting-retry", event(http, id).get("state").asText());

        assertEquals(409, http.post("/events/" + id + "/redeliver").statusCode());
        assertEquals(409, http.post("/events/" + seeded("success").get(0) + "/redeliver").statusCode());
        assertEquals(404, http.post("/events/00000000-0000-4000-8000-000000000000/redeliver").statusCode());
    }

    @Test
    void aRedeliveredEventAwaitsItsRetryForTheDelayThenSucceeds() {
        String id = emulator.eventId(7);
        Instant redelivered = clock.instant();
        http.post("/events/" + id + "/redeliver");

        clock.advance(DELAY.minusMillis(1));
        JsonNode waiting = event(http, id);
        clock.advance(Duration.ofMillis(1));
        JsonNode done = event(http, id);

        assertEquals("awaiting-retry", waiting.get("state").asText());
        assertEquals(redelivered, Instant.parse(waiting.get("updatedAt").asText()));
        assertEquals(6, waiting.get("attempts").asInt());
        assertEquals("success", done.get("state").asText());
        assertEquals(redelivered.plus(DELAY), Instant.parse(done.get("updatedAt").asText()));
        assertEquals(7, done.get("attempts").asInt());
        assertEquals(409, http.post("/events/" + id + "/redeliver").statusCode(), "no longer failed");
        assertTrue(ids("/events?state=success").contains(id));
    }

    @Test
    void withTheFailureOutcomeARedeliveredEventFailsAgainAndTheNextExportHoldsIt() {
        try (WebhooksEmulator failing = WebhooksEmulator.builder().failedEvents(20).clock(clock)
                .jobDuration(Duration.ofSeconds(2)).redeliveryDelay(DELAY)
                .redeliveryOutcome(WebhooksEmulator.RedeliveryOutcome.FAILURE).liveSummary(true).start()) {
            RawHttp raw = new RawHttp(failing);
            String id = failing.eventId(3);
            raw.post("/events/" + id + "/redeliver");
            String first = raw.startExport(); // while the event awaits its retry: left out
            clock.advance(DELAY);

            assertEquals("failure", event(raw, id).get("state").asText());
            assertFalse(event(raw, id).get("exported").asBoolean());
            assertEquals(1, RawHttp.json(raw.get("/summary")).get("exportable").asLong());
            assertEquals(19, raw.get("/exports/" + first + "/download").body().lines().count());
            clock.advance(Duration.ofDays(1));
            raw.forgetToken();
            String second = raw.startExport();
            clock.advance(Duration.ofSeconds(2));
            List<String> lines = raw.get("/exports/" + second + "/download").body().lines().toList();
            assertEquals(1, lines.size());
            assertEquals(id, RawHttp.json(lines.get(0)).get("id").asText());
            assertTrue(event(raw, id).get("exported").asBoolean());
            assertEquals(0, RawHttp.json(raw.get("/summary")).get("exportable").asLong());
            assertEquals(202, raw.post("/events/" + id + "/redeliver").statusCode(), "failed again: redeliverable");
        }
    }

    @Test
    void aDisabledSubscriptionRefusesRedeliveryWith409() {
        String id = emulator.eventId(5);
        emulator.faults().subscriptionDisabled(true);

        HttpResponse<String> refused = http.post("/events/" + id + "/redeliver");

        assertEquals(409, refused.statusCode());
        JsonNode body = RawHttp.json(refused);
        assertEquals("Conflict", body.get("title").asText());
        assertEquals("Subscription " + emulator.subscriptionId() + " is disabled: its events cannot be redelivered "
                + "until it is enabled again", body.get("details").asText());
        assertEquals("failure", event(http, id).get("state").asText());
        emulator.faults().subscriptionDisabled(false);
        assertEquals(202, http.post("/events/" + id + "/redeliver").statusCode());
    }

    @Test
    void anEventIdThatIsNotASafeIdIs400WithTheErrorBody() {
        for (String path : List.of("/events/a%20b", "/events/a%2Fb/redeliver", "/events/_x")) {
            HttpResponse<String> response = path.endsWith("redeliver") ? http.post(path) : http.get(path);

            assertEquals(400, response.statusCode(), path);
            JsonNode body = RawHttp.json(response);
            assertEquals(400, body.get("status").asInt());
            assertEquals("Bad Request", body.get("title").asText());
            assertTrue(body.get("details").asText().startsWith("The event id must be"), body.toString());
        }
        assertEquals(404, http.get("/events/not-an-event").statusCode(), "safe but unknown: 404");
    }

    @Test
    void summaryCountsEveryStateAndRedeliveredEventsAsRetrying(BulkExportClient client) {
        http.post("/events/" + emulator.eventId(0) + "/redeliver");
        EventCatalog catalog = emulator.catalog();

        EventSummary summary = client.summary(emulator.subscriptionId());

        assertEquals(catalog.total(), summary.total());
        assertEquals(EVENTS - 1, summary.failed());
        assertEquals(1 + catalog.seeded("awaiting-retry") + catalog.seeded("awaiting-executing"), summary.retrying());
        assertEquals(catalog.seeded("success"), summary.succeeded());
        assertEquals(summary.total(), summary.failed() + summary.succeeded() + summary.retrying());
        assertEquals(EVENTS - 1, summary.exportable());
    }

    @Test
    void theSummaryIsRecomputedAtMostOnceADay(BulkExportClient client) {
        EventSummary morning = client.summary(emulator.subscriptionId());
        http.post("/events/" + emulator.eventId(0) + "/redeliver");
        clock.advance(DELAY);
        http.startExport();
        clock.advance(Duration.ofDays(1).minusSeconds(4));

        EventSummary sameDay = client.summary(emulator.subscriptionId());
        clock.advance(Duration.ofSeconds(1));
        EventSummary nextDay = client.summary(emulator.subscriptionId());

        assertEquals(start, morning.updatedAt());
        assertEquals(morning, sameDay, "neither the redelivery nor the export shows the same day");
        assertEquals(start.plus(Duration.ofDays(1)), nextDay.updatedAt());
        assertEquals(EVENTS - 1, nextDay.failed());
        assertEquals(morning.succeeded() + 1, nextDay.succeeded());
        assertEquals(0, nextDay.exportable());
    }
}
