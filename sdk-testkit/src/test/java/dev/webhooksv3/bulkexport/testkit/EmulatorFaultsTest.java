package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.MalformedEventException;
import dev.webhooksv3.bulkexport.RateLimitedException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class EmulatorFaultsTest {

    private static final int EVENTS = 200;
    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(EVENTS).clock(clock).jobDuration(JOB));
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

    private byte[] cleanFile(String id) {
        HttpResponse<byte[]> response = http.bytes(http.request("/exports/" + id + "/download").GET().build());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private long count(int status) {
        return emulator.journal().stream().filter(r -> r.status() == status).count();
    }

    @Test
    void rateLimitNextAnswers429WithRetryAfterThenRecovers() {
        http.token();
        emulator.faults().rateLimitNext(1, Duration.ofMillis(1500));

        HttpResponse<String> limited = http.get("/summary");
        assertEquals(429, limited.statusCode());
        assertEquals("2", limited.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(429, RawHttp.json(limited).get("status").asInt());
        assertEquals(200, http.get("/summary").statusCode());

        emulator.faults().rateLimitNext(2, Duration.ZERO);
        assertEquals(EVENTS, client.summary(emulator.subscriptionId()).exportable());
        assertEquals(3, count(429));
    }

    @Test
    void rateLimitBeyondTheClientsPatienceFailsWithTheWait() {
        emulator.faults().rateLimitNext(1, Duration.ofMinutes(10));

        RateLimitedException limited = assertThrows(RateLimitedException.class,
                () -> client.summary(emulator.subscriptionId()));

        assertEquals(Duration.ofMinutes(10), limited.retryAfter().orElseThrow());
    }

    @Test
    void failNextAnswersTheStatusThenRecovers() {
        http.token();
        emulator.faults().failNext(2, 503);

        assertEquals(503, http.get("/summary").statusCode());
        assertEquals(503, RawHttp.json(http.get("/summary")).get("status").asInt());
        assertEquals(200, http.get("/summary").statusCode());

        emulator.faults().failNext(5, 503);
        BulkExportClient impatient = emulator.clientBuilder()
                .retryPolicy(RetryPolicy.none()).build();
        ServerException failed = assertThrows(ServerException.class, () -> impatient.summary(emulator.subscriptionId()));
        assertEquals(503, failed.status());
        emulator.faults().failNext(2, 502);
        assertEquals(EVENTS, client.summary(emulator.subscriptionId()).exportable());
    }

    @Test
    void resetDownloadAfterCutsTheBodyAndTheClientResumesToTheExactFile() throws IOException {
        String id = completedExport();
        byte[] expected = cleanFile(id);

        emulator.faults().resetDownloadAfter(1000, 1);
        HttpRequest request = http.request("/exports/" + id + "/download").GET().build();
        assertThrows(UncheckedIOException.class, () -> http.bytes(request), "the body is cut short");

        emulator.faults().resetDownloadAfter(5000, 3);
        emulator.clearJournal();
        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));

        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        assertEquals(3, result.resumes());
        assertEquals(expected.length, result.bytes());
        List<String> ranges = emulator.journal().stream().filter(r -> r.path().endsWith("/download"))
                .map(r -> r.status() + "").toList();
        assertEquals(List.of("200", "206", "206", "206"), ranges);
    }

    @Test
    void redirectDownloadsSendsTheClientToAPreSignedUrlOnAnotherOriginWithoutAuthorization() throws IOException {
        String id = completedExport();
        byte[] expected = cleanFile(id);
        emulator.faults().redirectDownloads(true);
        emulator.clearJournal();

        HttpResponse<String> redirect = http.get("/exports/" + id + "/download");
        assertEquals(302, redirect.statusCode());
        URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
        assertTrue(location.getRawQuery().contains("X-Amz-Signature="));
        assertTrue(location.getRawQuery().contains("X-Amz-Credential="));
        assertTrue(location.getPort() != emulator.baseUri().getPort());
        HttpResponse<String> leaked = RawHttp.send(HttpRequest.newBuilder(location)
                .header("Authorization", "Bearer " + http.token()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, leaked.statusCode(), "storage refuses a second auth mechanism, as S3 does");
        HttpResponse<String> tampered = RawHttp.send(HttpRequest.newBuilder(
                URI.create(location.toString().replace("X-Amz-Signature=", "X-Amz-Signature=0"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, tampered.statusCode());
        emulator.clearJournal();

        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));

        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        List<RecordedRequest> storage = emulator.journal().stream().filter(RecordedRequest::isStorage).toList();
        assertEquals(1, storage.size());
        assertEquals(200, storage.get(0).status());
        assertFalse(storage.get(0).hadAuthorization(), "the bearer token must not leave the API origin");
        assertTrue(storage.get(0).query().contains("X-Amz-Signature="));
        assertTrue(emulator.journal().stream().anyMatch(r -> !r.isStorage() && r.status() == 302
                && r.hadAuthorization()));
    }

    @Test
    void redirectedDownloadsAlsoResumeOnTheStorageOrigin() throws IOException {
        String id = completedExport();
        byte[] expected = cleanFile(id);
        emulator.faults().redirectDownloads(true).resetDownloadAfter(3000, 2);

        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));

        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        assertEquals(2, result.resumes());
        assertTrue(emulator.journal().stream().filter(RecordedRequest::isStorage)
                .noneMatch(RecordedRequest::hadAuthorization));
    }

    @Test
    void gzipDownloadsAreCompressedWithoutLengthAndIgnoreRange() throws IOException {
        String id = completedExport();
        byte[] expected = cleanFile(id);
        emulator.faults().gzipDownloads(true);

        HttpResponse<byte[]> response = http.bytes(http.request("/exports/" + id + "/download")
                .header("Accept-Encoding", "gzip").header("Range", "bytes=100-").GET().build());

        assertEquals(200, response.statusCode());
        assertEquals("gzip", response.headers().firstValue("Content-Encoding").orElseThrow());
        assertTrue(response.headers().firstValue("Content-Length").isEmpty());
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(response.body()))) {
            assertArrayEquals(expected, in.readAllBytes());
        }
        HttpResponse<byte[]> identity = http.bytes(http.request("/exports/" + id + "/download").GET().build());
        assertTrue(identity.headers().firstValue("Content-Encoding").isEmpty(), "only for clients that accept gzip");

        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));
        assertArrayEquals(expected, Files.readAllBytes(result.path()));
    }

    @Test
    void gzipDownloadCutShortIsReadAgainAndSkippedSinceItsOffsetsCannotBeRanged() throws IOException {
        String id = completedExport();
        byte[] expected = cleanFile(id);
        emulator.faults().gzipDownloads(true).resetDownloadAfter(2000, 1);

        DownloadResult result = client.downloadExport(DownloadRequest.of(emulator.subscriptionId(), id,
                dir.resolve("export.ndjson")));

        assertArrayEquals(expected, Files.readAllBytes(result.path()));
        assertEquals(1, result.resumes());
    }

    @Test
    void expireTokensNowMakesTheClientFetchAFreshTokenTransparently() {
        assertEquals(EVENTS, client.summary(emulator.subscriptionId()).failed());
        emulator.clearJournal();

        emulator.faults().expireTokensNow();

        assertEquals(EVENTS, client.summary(emulator.subscriptionId()).failed());
        List<String> calls = emulator.journal().stream()
                .map(r -> r.method() + " " + r.path().substring(r.path().lastIndexOf('/')) + " " + r.status())
                .toList();
        assertEquals(List.of("GET /summary 403", "POST /token 200", "GET /summary 200"), calls);
    }

    @Test
    void malformedLinesAreReplacedAndReportedByTheirLineNumbers() {
        emulator.faults().malformedLines(2, 17, 200, 201);
        String id = completedExport();
        emulator.faults().clear();
        List<Long> reported = new ArrayList<>();
        List<String> ids = new ArrayList<>();

        try (EventStream events = client.streamEvents(emulator.subscriptionId(), id,
                EventStreamOptions.skipAndReport(bad -> reported.add(bad.lineNumber())))) {
            for (FailedEvent event : events) {
                ids.add(event.eventId().orElseThrow());
            }
        }

        assertEquals(List.of(2L, 17L, 200L), reported);
        assertEquals(EVENTS - 3, ids.size());
        assertFalse(ids.contains(emulator.eventId(1)));
        assertEquals(emulator.eventId(2), ids.get(1));
        byte[] file = cleanFile(id);
        assertEquals(0, file.length % EVENTS, "malformed lines keep the line length");
        assertThrows(MalformedEventException.class, () -> {
            try (EventStream strict = EventStream.of(new ByteArrayInputStream(file))) {
                strict.forEach(event -> { });
            }
        });
    }

    @Test
    void clearTurnsEverySwitchOff() {
        http.token();
        emulator.faults().rateLimitNext(5, Duration.ofSeconds(1)).failNext(5, 500).redirectDownloads(true)
                .gzipDownloads(true).resetDownloadAfter(10, 5).malformedLines(1);

        emulator.faults().clear();

        String id = completedExport();
        HttpResponse<byte[]> response = http.bytes(http.request("/exports/" + id + "/download")
                .header("Accept-Encoding", "gzip").GET().build());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty());
        assertEquals(EVENTS, new String(response.body()).lines().filter(l -> !l.contains("broken")).count());
    }
}
