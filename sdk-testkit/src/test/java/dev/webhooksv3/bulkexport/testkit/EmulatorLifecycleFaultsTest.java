package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.ExportFailedException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The switches by which the emulated service misbehaves across a job's life: ambiguous starts,
 * jobs ended or forgotten by the service, files re-generated, token outages, exports started by
 * someone else.
 */
class EmulatorLifecycleFaultsTest {

    private static final int EVENTS = 50;
    private static final Duration JOB = Duration.ofSeconds(2);

    private final FakeTime clock = new FakeTime();
    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension.configured(builder -> builder
            .failedEvents(EVENTS).clock(clock).jobDuration(JOB).liveSummary(true)).withClient(client -> client.clock(clock));
    private WebhooksEmulator emulator;
    private RawHttp http;
    private BulkExportClient client;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.http = new RawHttp(emulator);
        this.client = client;
    }

    private List<String> listed() {
        List<String> states = new java.util.ArrayList<>();
        RawHttp.json(http.get("/exports")).get("_embedded").get("exports")
                .forEach(job -> states.add(job.get("id").asText() + " " + job.get("state").asText()));
        return states;
    }

    private String state(String id) {
        return RawHttp.json(http.get("/exports/" + id)).get("state").asText();
    }

    private HttpResponse<byte[]> download(String id) {
        return http.bytes(http.request("/exports/" + id + "/download").GET().build());
    }

    private long exportable() {
        return RawHttp.json(http.get("/summary")).get("exportable").asLong();
    }

    @Test
    void createThenResetNextCreatesTheJobAndDropsTheConnectionBeforeAnswering() {
        http.token();
        emulator.faults().createThenResetNext(1);

        assertThrows(UncheckedIOException.class, () -> http.post("/exports"), "no answer at all");

        List<String> jobs = listed();
        assertEquals(1, jobs.size());
        assertTrue(jobs.get(0).endsWith(" processing"), jobs.toString());
        assertEquals(409, http.post("/exports").statusCode(), "the job created without an answer is active");
        assertTrue(emulator.journal().stream().anyMatch(r -> r.method().equals("POST") && r.status() == -1));
    }

    @Test
    void createThenResetNextIsAdoptedByTheClientInsteadOfStartingTwice() {
        emulator.faults().createThenResetNext(1);

        ExportJob job = client.startExport(StartExportRequest.of(emulator.subscriptionId()));

        assertEquals(List.of(job.id() + " processing"), listed());
    }

    @Test
    void createThenFailNextAnswersTheStatusAlthoughTheJobWasCreated() {
        http.token();
        emulator.faults().createThenFailNext(1, 504);

        HttpResponse<String> answer = http.post("/exports");

        assertEquals(504, answer.statusCode());
        assertEquals(504, RawHttp.json(answer).get("status").asInt());
        assertEquals(1, listed().size());
        assertEquals(409, http.post("/exports").statusCode(), "starts answered 409 do not use the switch up");
        clock.advance(JOB.plus(Duration.ofDays(1))); // past the day of the export that completed
        http.forgetToken();
        assertEquals(201, http.post("/exports").statusCode());
    }

    @Test
    void cancelJobEndsAJobWhileItWritesItsFileAndItsEventsStayExportable() {
        String id = http.startExport();
        clock.advance(JOB.multipliedBy(3).dividedBy(4));
        assertEquals(409, http.delete("/exports/" + id).statusCode(), "a caller can no longer cancel it");

        assertTrue(emulator.faults().cancelJob(id));

        assertEquals("canceled", state(id));
        assertEquals(404, download(id).statusCode());
        assertEquals(EVENTS, exportable());
        assertFalse(emulator.faults().cancelJob(id), "it has already ended");
        String next = http.startExport();
        clock.advance(JOB);
        assertEquals(EVENTS, new String(download(next).body(), StandardCharsets.UTF_8).lines().count());
        assertFalse(emulator.faults().cancelJob(next), "a completed job stays completed");
    }

    @Test
    void failJobMakesAnAwaitingClientFailAndFreesTheEventsForTheNextJob() {
        String id = http.startExport();
        clock.advance(Duration.ofSeconds(1));

        assertTrue(emulator.faults().failJob(id));

        assertEquals("failed", state(id));
        ExportFailedException failed = assertThrows(ExportFailedException.class, () -> client.awaitExport(
                emulator.subscriptionId(), id, AwaitOptions.defaults()));
        assertEquals(ExportState.FAILED, failed.job().state());
        assertEquals(404, download(id).statusCode());
        assertEquals(409, http.delete("/exports/" + id).statusCode());
        assertEquals(EVENTS, exportable());
        assertFalse(emulator.faults().failJob("no-such-export"));
    }

    @Test
    void expireJobForgetsACompletedJobAndItsFile() {
        String id = http.startExport();
        clock.advance(JOB);
        assertEquals(200, download(id).statusCode());

        assertTrue(emulator.faults().expireJob(id));

        assertEquals(List.of(), listed());
        assertEquals(404, http.get("/exports/" + id).statusCode());
        assertEquals(404, download(id).statusCode());
        assertEquals(0, exportable(), "its events were exported; no later job holds them");
        assertFalse(emulator.faults().expireJob(id));
    }

    @Test
    void expireJobOfAProcessingJobCompletesItFirstSoItsEventsAreGoneForGood() {
        String id = http.startExport();

        assertTrue(emulator.faults().expireJob(id));

        assertEquals(404, http.get("/exports/" + id).statusCode());
        assertEquals(0, exportable());
        HttpResponse<String> refused = http.post("/exports");
        assertEquals(409, refused.statusCode(), "it completed: the export of the day");
        assertTrue(RawHttp.json(refused).get("details").asText().contains("completed in the last 24 hours"));
        clock.advance(Duration.ofDays(1));
        http.forgetToken();
        String next = http.startExport();
        clock.advance(JOB);
        assertEquals(0, download(next).body().length);
    }

    @Test
    void changeFileKeepsTheEventsAndTheLengthButChangesTheBytesAndTheValidator() {
        String id = http.startExport();
        clock.advance(JOB);
        HttpResponse<byte[]> before = download(id);
        String oldTag = before.headers().firstValue("ETag").orElseThrow();

        assertTrue(emulator.faults().changeFile(id));

        HttpResponse<byte[]> after = download(id);
        String newTag = after.headers().firstValue("ETag").orElseThrow();
        assertNotEquals(oldTag, newTag);
        assertEquals(before.body().length, after.body().length);
        assertFalse(Arrays.equals(before.body(), after.body()));
        assertEquals(sortedLines(before.body()), sortedLines(after.body()), "the same events");
        HttpResponse<byte[]> stale = http.bytes(http.request("/exports/" + id + "/download")
                .header("Range", "bytes=100-").header("If-Range", oldTag).GET().build());
        assertEquals(200, stale.statusCode(), "If-Range with the old validator gets the whole new file");
        assertArrayEquals(after.body(), stale.body());
        HttpResponse<byte[]> blind = http.bytes(http.request("/exports/" + id + "/download")
                .header("Range", "bytes=100-").GET().build());
        assertEquals(206, blind.statusCode());
        assertArrayEquals(Arrays.copyOfRange(after.body(), 100, after.body().length), blind.body());
        assertTrue(emulator.faults().changeFile(id));
        assertFalse(Arrays.equals(after.body(), download(id).body()), "each change gives other bytes");
    }

    private static List<String> sortedLines(byte[] file) {
        return new String(file, StandardCharsets.UTF_8).lines().sorted().toList();
    }

    @Test
    void tokenOutageAnswers503ToTheNextTokenRequestsOnly() {
        emulator.faults().tokenOutage(2);
        String form = "grant_type=client_credentials&scope=*:webhooks/**";

        assertEquals(503, http.tokenRequest(emulator.clientId(), emulator.clientSecret(), form).statusCode());
        http.forgetToken();
        HttpResponse<String> second = http.tokenRequest(emulator.clientId(), emulator.clientSecret(), form);
        assertEquals(503, second.statusCode());
        assertEquals(503, RawHttp.json(second).get("status").asInt());
        assertEquals(200, http.tokenRequest(emulator.clientId(), emulator.clientSecret(), form).statusCode());
        http.token();
        emulator.faults().tokenOutage(1);
        assertEquals(200, http.get("/summary").statusCode(), "other requests are not affected");
    }

    @Test
    void startExportElsewhereTakesTheEventsAndBlocksTheCallersStart() {
        String other = emulator.faults().startExportElsewhere();

        assertEquals(List.of(other + " processing"), listed());
        ConflictException busy = assertThrows(ConflictException.class, () -> client.startExport(
                StartExportRequest.of(emulator.subscriptionId()).withWaitForFreeSlot(Duration.ZERO)));
        assertTrue(busy.isTooManyActiveExports());
        assertThrows(IllegalStateException.class, () -> emulator.faults().startExportElsewhere());
        clock.advance(JOB);
        assertEquals(EVENTS, new String(download(other).body(), StandardCharsets.UTF_8).lines().count());
        assertEquals(0, exportable());
    }

    @Test
    void clearTurnsTheStartAndTokenSwitchesOff() {
        http.token();
        emulator.faults().createThenResetNext(3).createThenFailNext(3, 504).tokenOutage(3);

        emulator.faults().clear();

        assertEquals(201, http.post("/exports").statusCode());
        http.forgetToken();
        assertEquals(200, http.get("/summary").statusCode());
    }

    @Test
    void switchesRefuseNegativeCountsAndNonErrorStatuses() {
        Faults faults = emulator.faults();
        assertThrows(IllegalArgumentException.class, () -> faults.createThenResetNext(-1));
        assertThrows(IllegalArgumentException.class, () -> faults.createThenFailNext(1, 200));
        assertThrows(IllegalArgumentException.class, () -> faults.tokenOutage(-1));
        assertThrows(NullPointerException.class, () -> faults.cancelJob(null));
    }
}
