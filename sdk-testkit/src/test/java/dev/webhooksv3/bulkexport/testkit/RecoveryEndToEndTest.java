package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * End-to-end tests of {@code BulkExportClient.recoverFailedEvents} against the emulator: the whole
 * flow, and crash-and-rerun at many points. They live here rather than in sdk-core because sdk-core
 * cannot depend on the testkit (the testkit depends on sdk-core: Maven refuses the cycle).
 */
@Timeout(60)
class RecoveryEndToEndTest {

    private static final int EVENTS = 1_000;

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension
            .configured(builder -> builder.failedEvents(EVENTS).jobDuration(Duration.ofMillis(150)))
            .withClient(client -> client.retryPolicy(
                    new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(2), 0)));
    private WebhooksEmulator emulator;
    private BulkExportClient client;

    @TempDir
    Path work;

    @BeforeEach
    void connect(WebhooksEmulator emulator, BulkExportClient client) {
        this.emulator = emulator;
        this.client = client;
    }

    private RecoveryRequest request() {
        return RecoveryRequest.of(emulator.subscriptionId(), work).withAwait(AwaitOptions.defaults()
                .withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100)).withDeadline(Duration.ofSeconds(30)));
    }

    private List<String> allIds() {
        return LongStream.range(0, EVENTS).mapToObj(emulator::eventId).toList();
    }

    /** Records every event handed over, and fails on the n-th call (1-based) when asked to. */
    private static final class RecordingHandler implements EventHandler {
        final List<String> seen = new CopyOnWriteArrayList<>();
        private final long failOnCall;
        private long calls;

        RecordingHandler(long failOnCall) {
            this.failOnCall = failOnCall;
        }

        @Override
        public void handle(FailedEvent event) throws Exception {
            calls++;
            seen.add(event.eventId().orElseThrow());
            if (calls == failOnCall) {
                throw new IOException("listener is down (injected at call " + calls + ")");
            }
        }
    }

    private long posts() {
        return emulator.journal().stream()
                .filter(r -> r.method().equals("POST") && r.path().endsWith("/exports")).count();
    }

    @Test
    void recoversEveryFailedEventOnceInFileOrderAndReportsTheResult() {
        List<RecoveryProgress.Phase> phases = new CopyOnWriteArrayList<>();
        RecordingHandler handler = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(request().withProgressListener(p -> {
            if (phases.isEmpty() || phases.get(phases.size() - 1) != p.phase()) {
                phases.add(p.phase());
            }
        }), handler);

        assertEquals(allIds(), handler.seen);
        assertEquals(EVENTS, result.eventsHandled());
        assertEquals(EVENTS, result.eventsHandledThisRun());
        assertEquals(0, result.malformedLines());
        assertFalse(result.resumed());
        assertTrue(result.exportId().isPresent());
        assertEquals(Files.exists(result.file().orElseThrow()) ? result.bytes() : -1, sizeOf(result.file().orElseThrow()));
        assertEquals(64, result.fileSha256().orElseThrow().length());
        assertEquals(List.of(RecoveryProgress.Phase.CHECKING_SUMMARY, RecoveryProgress.Phase.STARTING_EXPORT,
                RecoveryProgress.Phase.AWAITING_EXPORT, RecoveryProgress.Phase.DOWNLOADING,
                RecoveryProgress.Phase.HANDLING_EVENTS, RecoveryProgress.Phase.COMPLETED), phases);
        assertEquals(1, posts());
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void aForeverFsyncIntervalIsAcceptedAndEveryEventIsStillHandled() {
        RecordingHandler handler = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(
                request().withFsyncInterval(Duration.ofSeconds(Long.MAX_VALUE)), handler);

        assertEquals(allIds(), handler.seen);
        assertEquals(EVENTS, result.eventsHandled());
    }

    @Test
    void aSecondRunOverACompletedRecoveryDoesNothing() {
        client.recoverFailedEvents(request(), new RecordingHandler(-1));
        emulator.clearJournal();
        RecordingHandler again = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(request(), again);

        assertEquals(List.of(), again.seen);
        assertEquals(EVENTS, result.eventsHandled());
        assertEquals(0, result.eventsHandledThisRun());
        assertTrue(result.resumed());
        assertEquals(List.of(), emulator.journal(), "no request at all");
    }

    @Test
    void nothingExportableStartsNoJob() {
        client.recoverFailedEvents(request(), new RecordingHandler(-1));
        emulator.clearJournal();
        Path fresh = work.resolve("later");

        RecoveryResult result = client.recoverFailedEvents(RecoveryRequest.of(emulator.subscriptionId(), fresh),
                new RecordingHandler(-1));

        assertEquals(Optional.empty(), result.exportId());
        assertEquals(Optional.empty(), result.file());
        assertEquals(0, result.eventsHandled());
        assertEquals(0, posts());
    }

    @ParameterizedTest(name = "handler fails on event {0}")
    @ValueSource(longs = {1, 2, 137, 500, 999, 1000})
    void aHandlerFailureLosesNothingAndRepeatsOnlyTheEventInFlight(long failOn) {
        RecordingHandler first = new RecordingHandler(failOn);
        BulkExportException failure = assertThrows(BulkExportException.class,
                () -> client.recoverFailedEvents(request(), first));
        assertInstanceOf(IOException.class, failure.getCause());
        assertTrue(failure.getMessage().contains("line " + failOn), failure.getMessage());

        RecordingHandler second = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), second);

        assertExactlyOnceExceptInFlight(first.seen, second.seen, List.of(emulator.eventId(failOn - 1)));
        assertEquals(EVENTS, result.eventsHandled());
        assertTrue(result.resumed());
        assertEquals(1, posts(), "the re-run continued with the same job");
    }

    @Test
    void manyCrashesInARowStillHandEveryEventExactlyOnceBeyondTheInFlightOnes() {
        List<String> everything = new ArrayList<>();
        List<String> inFlight = new ArrayList<>();
        long[] failAfter = {50, 1, 300, 7, 200};
        long handled = 0;
        for (long k : failAfter) {
            RecordingHandler run = new RecordingHandler(k);
            assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(request(), run));
            everything.addAll(run.seen);
            inFlight.add(run.seen.get(run.seen.size() - 1));
            handled += k - 1;
        }
        RecordingHandler last = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), last);
        everything.addAll(last.seen);

        assertEquals(Map.of(), duplicatesBeyond(everything, inFlight));
        assertEquals(allIds(), everything.stream().distinct().toList());
        assertEquals(EVENTS - handled, last.seen.size());
        assertEquals(EVENTS, result.eventsHandled());
    }

    @Test
    void aFailureWhileAwaitingContinuesWithTheSameJob() {
        BulkExportClient impatient = emulator.clientBuilder().retryPolicy(RetryPolicy.none()).build();
        RecoveryRequest request = RecoveryRequest.of(emulator.subscriptionId(), work).withAwait(AwaitOptions.defaults()
                .withPollInterval(Duration.ofMillis(20), Duration.ofMillis(20)).withDeadline(Duration.ofMillis(40)));
        // The job takes 150 ms, so this await gives up while it is still processing.
        assertThrows(BulkExportException.class, () -> impatient.recoverFailedEvents(request, new RecordingHandler(-1)));
        assertEquals(1, posts());

        RecordingHandler handler = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), handler);

        assertEquals(allIds(), handler.seen);
        assertEquals(1, posts(), "no second export was started");
        assertTrue(result.resumed());
    }

    @Test
    void aServerErrorWhileAwaitingContinuesWithTheSameJob() {
        BulkExportClient fragile = emulator.clientBuilder().retryPolicy(RetryPolicy.none()).build();
        RecordingHandler first = new RecordingHandler(-1);
        emulator.faults().failNext(0, 503);
        // After the start (summary, token, start = 3 requests), every poll fails.
        RecoveryRequest request = request().withProgressListener(p -> {
            if (p.phase() == RecoveryProgress.Phase.AWAITING_EXPORT) {
                emulator.faults().failNext(100, 503);
            }
        });
        assertThrows(BulkExportException.class, () -> fragile.recoverFailedEvents(request, first));
        emulator.faults().clear();

        RecordingHandler second = new RecordingHandler(-1);
        client.recoverFailedEvents(request(), second);

        assertEquals(List.of(), first.seen);
        assertEquals(allIds(), second.seen);
        assertEquals(1, posts());
    }

    @Test
    void aDownloadBrokenBeyondItsRetriesIsResumedByTheNextRunFromThePartFile() throws IOException {
        BulkExportClient fragile = emulator.clientBuilder().retryPolicy(RetryPolicy.none()).build();
        emulator.faults().resetDownloadAfter(300_000, 1);
        assertThrows(BulkExportException.class, () -> fragile.recoverFailedEvents(request(), new RecordingHandler(-1)));
        try (var parts = Files.list(work)) {
            Path part = parts.filter(p -> p.toString().endsWith(".part")).findFirst().orElseThrow();
            assertTrue(Files.size(part) > 0 && Files.size(part) <= 300_000, "the broken run kept its partial file");
        }
        emulator.clearJournal();

        RecordingHandler handler = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), handler);

        assertEquals(allIds(), handler.seen);
        assertTrue(emulator.journal().stream().anyMatch(r -> r.path().endsWith("/download")));
        assertEquals(0, posts());
        assertTrue(result.resumed());
    }

    @Test
    void aCrashRightAfterStartingAdoptsTheJobThatRunStarted() throws IOException {
        Instant before = Instant.now().minusSeconds(1);
        String jobId = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id();
        writeStartingCheckpoint(before);
        emulator.clearJournal();

        RecordingHandler handler = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), handler);

        assertEquals(Optional.of(jobId), result.exportId());
        assertEquals(allIds(), handler.seen);
        assertEquals(0, posts(), "the job of the interrupted run was adopted, not a second one started");
    }

    @Test
    void malformedLinesAreReportedCountedAndSkipped() {
        emulator.faults().malformedLines(3, 500);
        List<Long> reported = new CopyOnWriteArrayList<>();
        RecordingHandler handler = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(request()
                .withMalformedLineHandler(bad -> reported.add(bad.lineNumber())), handler);

        assertEquals(List.of(3L, 500L), reported);
        assertEquals(2, result.malformedLines());
        assertEquals(EVENTS - 2, result.eventsHandled());
        List<String> expected = new ArrayList<>(allIds());
        expected.remove(499);
        expected.remove(2);
        assertEquals(expected, handler.seen);
    }

    @Test
    void theCheckpointIsReadableJsonWithTheJobAndPosition() throws IOException {
        RecordingHandler handler = new RecordingHandler(10);
        assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(request(), handler));

        String text = Files.readString(work.resolve("recovery-" + emulator.subscriptionId() + ".checkpoint"),
                StandardCharsets.UTF_8);

        assertTrue(text.contains("\"phase\":\"DOWNLOADED\""), text);
        assertTrue(text.contains("\"handled\":9,"), text);
        assertTrue(text.contains("\"line\":9,"), text);
    }

    /** Writes the checkpoint an interrupted run leaves just before its start request. */
    private void writeStartingCheckpoint(Instant startedAt) throws IOException {
        String json = "{\"version\":1,\"sequence\":1,\"subscriptionId\":\"" + emulator.subscriptionId()
                + "\",\"phase\":\"STARTING\",\"startedAt\":\"" + startedAt + "\",\"exportId\":null,\"fileBytes\":0,"
                + "\"fileSha256\":null,\"line\":0,\"byteOffset\":0,\"handled\":0,\"malformed\":0}";
        CRC32 crc = new CRC32();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        String slot = json + "\n" + String.format("%08x", crc.getValue()) + "\n";
        Files.writeString(work.resolve("recovery-" + emulator.subscriptionId() + ".checkpoint"),
                slot + " ".repeat(1024 - slot.length() - 1) + "\n");
    }

    private void assertExactlyOnceExceptInFlight(List<String> first, List<String> second, List<String> inFlight) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertEquals(Map.of(), duplicatesBeyond(all, inFlight));
        assertEquals(allIds(), all.stream().distinct().toList(), "every event, in file order");
    }

    /** Ids seen more than once, except one extra sighting per in-flight event. */
    private static Map<String, Long> duplicatesBeyond(List<String> seen, List<String> inFlight) {
        Map<String, Long> counts = seen.stream().collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        Map<String, Long> allowed = new HashMap<>();
        inFlight.forEach(id -> allowed.merge(id, 1L, Long::sum));
        return counts.entrySet().stream()
                .filter(e -> e.getValue() > 1 + allowed.getOrDefault(e.getKey(), 0L))
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue));
    }
}
