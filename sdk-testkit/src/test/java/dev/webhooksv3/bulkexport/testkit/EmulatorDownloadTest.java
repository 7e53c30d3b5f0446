package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EmulatorDownloadTest {

    private static final int EVENTS = 300;
    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(EVENTS).seed(7).clock(clock).jobDuration(JOB));
    private WebhooksEmulator emulator;
    private RawHttp http;
    private BulkExportClient client;

    @TempDir
    Path dir;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
        this.client = client;
    }

    private String completedExport() {
        String id = http.startExport();
        clock.advance(JOB);
        return id;
    }

    private HttpResponse<byte[]> download(String id, String... headers) {
        HttpRequest.Builder request = http.request("/exports/" + id + "/download");
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.bytes(request.GET().build());
    }

    @Test
    void downloadHasOneLinePerEventInOrderAndParsesWithEventStream() throws Exception {
        String id = completedExport();

        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));

        List<String> ids = new ArrayList<>();
        try (EventStream events = EventStream.open(result.path())) {
            for (FailedEvent event : events) {
                ids.add(event.eventId().orElseThrow());
                assertEquals(event.eventId().orElseThrow(), event.claims().get("jti"));
                assertEquals("failure", event.state().orElseThrow());
                assertEquals(6, event.attempts().orElseThrow());
                assertEquals("https://listener.example.com/hook", event.endpoint().orElseThrow());
                assertEquals(1, event.eventTypes().size());
                assertTrue(event.subject().isPresent());
                assertTrue(event.occurredAt().isPresent());
                assertTrue(event.createdAt().isPresent());
            }
        }
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < EVENTS; i++) {
            expected.add(emulator.eventId(i));
        }
        assertEquals(expected, ids);
        List<String> lines = Files.readAllLines(result.path());
        assertEquals(EVENTS, lines.size());
        assertEquals(1, lines.stream().mapToInt(String::length).distinct().count(), "every line has one length");
        assertEquals(Files.size(result.path()), result.bytes());
    }

    @Test
    void linesAreEventStoreRecordsWithACompactJwsOfSecurityEventTokenClaims() throws Exception {
        String line = new String(download(completedExport()).body(), StandardCharsets.US_ASCII).lines()
                .findFirst().orElseThrow();

        JsonNode record = RawHttp.JSON.readTree(line);
        assertTrue(record.get("createdAt").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z"));
        assertEquals("application/secevent+jwt", record.at("/request/headers/Content-Type").asText());
        String[] jws = record.at("/request/payload").asText().split("\\.");
        assertEquals(3, jws.length);
        Base64.Decoder b64 = Base64.getUrlDecoder();
        JsonNode header = RawHttp.JSON.readTree(b64.decode(jws[0]));
        assertEquals("RS256", header.get("alg").asText());
        assertEquals("secevent+jwt", header.get("typ").asText());
        JsonNode claims = RawHttp.JSON.readTree(b64.decode(jws[1]));
        for (String name : List.of("iss", "iat", "jti", "aud", "txn", "toe", "events")) {
            assertTrue(claims.has(name), name);
        }
        assertEquals(emulator.eventId(0), claims.get("jti").asText());
        JsonNode event = claims.get("events").elements().next();
        assertEquals("user", event.get("entityType").asText());
        assertTrue(event.get("globalSub").asText().startsWith("capture-v1://"));
        assertEquals(256, b64.decode(jws[2]).length);
    }

    @Test
    void downloadAnnouncesLengthTypeAndEtag() {
        HttpResponse<byte[]> response = download(completedExport());

        assertEquals(200, response.statusCode());
        assertEquals("application/x-ndjson", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(response.body().length, response.headers().firstValueAsLong("Content-Length").orElseThrow());
        assertTrue(response.headers().firstValue("ETag").isPresent());
        assertEquals("bytes", response.headers().firstValue("Accept-Ranges").orElseThrow());
    }

    @Test
    void rangeAnswers206WithContentRangeAndTheSameBytes() {
        String id = completedExport();
        byte[] full = download(id).body();
        String etag = download(id).headers().firstValue("ETag").orElseThrow();

        HttpResponse<byte[]> tail = download(id, "Range", "bytes=1000-");
        assertEquals(206, tail.statusCode());
        assertEquals("bytes 1000-" + (full.length - 1) + "/" + full.length,
                tail.headers().firstValue("Content-Range").orElseThrow());
        assertArrayEquals(Arrays.copyOfRange(full, 1000, full.length), tail.body());

        HttpResponse<byte[]> middle = download(id, "Range", "bytes=10-19", "If-Range", etag);
        assertEquals(206, middle.statusCode());
        assertArrayEquals(Arrays.copyOfRange(full, 10, 20), middle.body());

        HttpResponse<byte[]> suffix = download(id, "Range", "bytes=-5");
        assertArrayEquals(Arrays.copyOfRange(full, full.length - 5, full.length), suffix.body());
    }

    @Test
    void ifRangeWithAnotherEtagAnswers200WithTheWholeFile() {
        String id = completedExport();
        byte[] full = download(id).body();

        HttpResponse<byte[]> response = download(id, "Range", "bytes=1000-", "If-Range", "\"stale\"");

        assertEquals(200, response.statusCode());
        assertArrayEquals(full, response.body());
    }

    @Test
    void rangePastTheEndIs416WithTheLength() {
        String id = completedExport();
        long length = download(id).body().length;

        HttpResponse<byte[]> response = download(id, "Range", "bytes=" + length + "-");

        assertEquals(416, response.statusCode());
        assertEquals("bytes */" + length, response.headers().firstValue("Content-Range").orElseThrow());
    }

    @Test
    void downloadOfAProcessingJobIs409() {
        String id = http.startExport();

        HttpResponse<byte[]> response = download(id);

        assertEquals(409, response.statusCode());
    }

    @Test
    void downloadOfACanceledOrUnknownJobIs404() {
        String id = http.startExport();
        assertEquals(200, http.delete("/exports/" + id).statusCode());

        assertEquals(404, download(id).statusCode());
        assertEquals(404, download("00000000-0000-4000-8000-000000000000").statusCode());
    }

    @Test
    void streamEventsReadsTheFileStraightFromTheApi() {
        String id = completedExport();

        long count;
        try (EventStream events = client.streamEvents(emulator.subscriptionId(), id)) {
            count = events.stream().count();
        }

        assertEquals(EVENTS, count);
    }

    @Test
    void redeliveredEventsAreLeftOutOfTheNextExport() {
        for (int i : new int[] {0, 5, 6, 299}) {
            assertEquals(202, http.post("/events/" + emulator.eventId(i) + "/redeliver").statusCode());
        }

        String body = new String(download(completedExport()).body(), StandardCharsets.US_ASCII);

        List<String> ids = body.lines().map(line -> line.substring(7, 43)).toList();
        assertEquals(EVENTS - 4, ids.size());
        assertFalse(ids.contains(emulator.eventId(5)));
        assertEquals(List.of(emulator.eventId(1), emulator.eventId(2), emulator.eventId(3), emulator.eventId(4),
                emulator.eventId(7)), ids.subList(0, 5));
        assertEquals(emulator.eventId(298), ids.get(ids.size() - 1));
    }
}
