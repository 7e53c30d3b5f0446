package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.webhooksv3.bulkexport.FakeTime;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The route table: which path and method reach which endpoint, and what the rest get. */
class EmulatorRoutingTest {

    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(20).clock(clock).jobDuration(JOB));
    private WebhooksEmulator emulator;
    private RawHttp http;

    @BeforeEach
    void connect(WebhooksEmulator emulator) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
    }

    private HttpResponse<String> send(String method, String path) {
        return RawHttp.send(http.request(path).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aMethodTheRouteLacksIs405WithAllowNamingTheOthers() {
        String id = http.startExport();

        HttpResponse<String> onCollection = send("PUT", "/exports");
        HttpResponse<String> onJob = send("POST", "/exports/" + id);
        HttpResponse<String> onDownload = send("DELETE", "/events/exports/" + id + "/download");
        HttpResponse<String> onRedeliver = send("GET", "/events/" + emulator.eventId(0) + "/redeliver");
        HttpResponse<String> onToken = RawHttp.send(HttpRequest.newBuilder(
                http.uri("/" + emulator.customerId() + "/login/token")).GET().build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(405, onCollection.statusCode());
        assertEquals("GET, POST", onCollection.headers().firstValue("Allow").orElseThrow());
        assertEquals("GET, DELETE", onJob.headers().firstValue("Allow").orElseThrow());
        assertEquals("GET", onDownload.headers().firstValue("Allow").orElseThrow());
        assertEquals("POST", onRedeliver.headers().firstValue("Allow").orElseThrow());
        assertEquals(405, onToken.statusCode());
        assertEquals("POST", onToken.headers().firstValue("Allow").orElseThrow());
        assertEquals("PUT is not allowed here; allowed: GET, POST", RawHttp.json(onCollection).get("details").asText());
    }

    @Test
    void eventsExportsIsTheExportCollectionNotAnEventId() {
        String id = http.startExport();

        HttpResponse<String> listed = send("GET", "/events/exports");
        HttpResponse<String> job = send("GET", "/events/exports/" + id);
        HttpResponse<String> notARedelivery = send("GET", "/events/exports/redeliver");

        assertEquals(200, listed.statusCode());
        assertEquals(1, RawHttp.json(listed).get("total").asInt());
        assertEquals(http.subscriptionPath() + "/events/exports", RawHttp.json(listed).at("/_links/self/href").asText());
        assertEquals(http.subscriptionPath() + "/events/exports/" + id,
                RawHttp.json(job).at("/_links/self/href").asText());
        assertEquals("Export redeliver not found", RawHttp.json(notARedelivery).get("details").asText());
    }

    @Test
    void pathsOutsideTheTableAre404AfterTheBearerCheck() {
        String sub = http.subscriptionPath();

        HttpResponse<String> unknown = send("GET", sub + "/exports/x/y");
        HttpResponse<String> tooShort = send("GET", sub);
        HttpResponse<String> trailingSlash = send("GET", sub + "/");
        HttpResponse<String> otherSubscription = send("GET",
                "/" + emulator.customerId() + "/webhooks/subscriptions/other/summary");
        HttpResponse<String> unauthenticated = RawHttp.send(HttpRequest.newBuilder(http.uri(sub + "/nowhere"))
                .build(), HttpResponse.BodyHandlers.ofString());

        assertEquals("No such resource: " + sub + "/exports/x/y", RawHttp.json(unknown).get("details").asText());
        assertEquals("No such resource: " + sub, RawHttp.json(tooShort).get("details").asText());
        assertEquals("No such resource: " + sub + "/", RawHttp.json(trailingSlash).get("details").asText());
        assertEquals(404, otherSubscription.statusCode());
        assertEquals("Subscription other not found", RawHttp.json(otherSubscription).get("details").asText());
        assertEquals(401, unauthenticated.statusCode());
    }
}
