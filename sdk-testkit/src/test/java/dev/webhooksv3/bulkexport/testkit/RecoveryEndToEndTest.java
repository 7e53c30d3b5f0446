package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DailyExportLimitException;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.FakeTime;
import dev.webhooksv3.bulkexport.FakeTimeClients;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StartExportRequest;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
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
            // A live summary: these runs follow each other within seconds, and a run after a completed one should
            // find nothing exportable. What a run makes of the service's day-old summary is tested below, on its own.
            .configured(builder -> builder.failedEvents(EVENTS).jobDuration(Duration.ofMillis(150)).liveSummary(true))
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

    @Test
    void reportsTheWaitForAFreeSlotAndNoExportIdBeforeTheJobExistsThenTotalsAndTimeLeft() {
        List<RecoveryProgress> reports = new CopyOnWriteArrayList<>();
        AtomicBoolean slotTaken = new AtomicBoolean();

        RecoveryResult result = client.recoverFailedEvents(request().withWaitForFreeSlot(Duration.ofMinutes(1))
                .withProgressListener(p -> {
                    reports.add(p);
                    if (p.phase() == RecoveryProgress.Phase.STARTING_EXPORT && slotTaken.compareAndSet(false, true)) {
                        client.startExport(StartExportRequest.of(emulator.subscriptionId())); // takes the only slot
                    }
                }), new RecordingHandler(-1));

        assertEquals(EVENTS, result.eventsHandled(), "the export that took the slot holds the events");
        int awaiting = indexOf(reports, RecoveryProgress.Phase.AWAITING_EXPORT);
        reports.subList(0, awaiting).forEach(p -> assertTrue(p.exportId().isEmpty(), () -> "before the job: " + p));
        reports.subList(awaiting, reports.size()).forEach(p -> assertTrue(p.exportId().isPresent(), p::toString));
        List<RecoveryProgress> waits = reports.stream()
                .filter(p -> p.phase() == RecoveryProgress.Phase.WAITING_FOR_SLOT).toList();
        assertFalse(waits.isEmpty(), () -> "no slot wait reported: " + reports);
        waits.forEach(p -> assertTrue(p.remaining().orElseThrow().compareTo(Duration.ofMinutes(1)) <= 0, p::toString));
        // The events are handled while the file downloads: the download's last figures may come in either phase.
        RecoveryProgress downloaded = reports.stream()
                .filter(p -> p.phase() == RecoveryProgress.Phase.DOWNLOADING
                        || p.phase() == RecoveryProgress.Phase.HANDLING_EVENTS).reduce((a, b) -> b).orElseThrow();
        assertEquals(java.util.OptionalLong.of(result.bytes()), downloaded.totalBytes());
        assertEquals(result.bytes(), downloaded.bytesDownloaded());
        RecoveryProgress completed = reports.get(reports.size() - 1);
        assertEquals(RecoveryProgress.Phase.COMPLETED, completed.phase());
        assertEquals(EVENTS, completed.eventsHandled());
        assertEquals(java.util.OptionalLong.of(EVENTS), completed.totalEvents());
        assertEquals(Optional.of(Duration.ZERO), completed.remaining());
    }

    private static int indexOf(List<RecoveryProgress> reports, RecoveryProgress.Phase phase) {
        for (int i = 0; i < reports.size(); i++) {
            if (reports.get(i).phase() == phase) {
                return i;
            }
        }
        throw new AssertionError(phase + " never reported: " + reports);
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
    void aSecondRunInTheSameDirectoryFindsNothingNewAndStartsNoExport() {
        client.recoverFailedEvents(request(), new RecordingHandler(-1));
        emulator.clearJournal();
        RecordingHandler again = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(request(), again);

        assertEquals(List.of(), again.seen, "the handled export is not handed again");
        assertEquals(Optional.empty(), result.exportId());
        assertEquals(Optional.empty(), result.file());
        assertEquals(0, result.eventsHandled());
        assertEquals(0, posts(), "nothing is exportable: no job");
    }

    @Test
    void aStartIntentLeftBehindNeverAdoptsAnExportThisDirectoryHandled() throws IOException {
        Instant before = Instant.now().minusSeconds(5);
        client.recoverFailedEvents(request(), new RecordingHandler(-1));
        writeStartingCheckpoint(before); // a later run wrote its intent, then its start was refused for good
        RecordingHandler again = new RecordingHandler(-1);

        client.recoverFailedEvents(request(), again);

        assertEquals(List.of(), again.seen, "the handled export is not handed over again");
    }

    @Test
    void aSecondRunTheSameDayOnAStaleSummaryIsRefusedByTheDailyLimitAndToldWhenToRunAgain() {
        FakeTime time = new FakeTime();
        try (WebhooksEmulator daily = WebhooksEmulator.builder().failedEvents(50).clock(time).start()) {
            BulkExportClient fake = FakeTimeClients.onFakeTime(daily.clientBuilder(), time).build();
            RecoveryRequest request = RecoveryRequest.of(daily.subscriptionId(), work);
            RecoveryResult first = fake.recoverFailedEvents(request, new RecordingHandler(-1));
            Instant completed = fake.getExport(daily.subscriptionId(), first.exportId().orElseThrow()).updatedAt();
            time.advance(Duration.ofHours(1));

            DailyExportLimitException refused = assertThrows(DailyExportLimitException.class,
                    () -> fake.recoverFailedEvents(request, new RecordingHandler(-1)));

            assertEquals(Optional.of(completed.plus(Duration.ofDays(1))), refused.nextExportPossibleAt());
            assertTrue(refused.getMessage().contains("Export " + first.exportId().orElseThrow() + " completed at "
                    + completed + " and has been recovered with " + work), refused.getMessage());
            assertTrue(refused.getMessage().contains("run the recovery again then"), refused.getMessage());
            time.advance(Duration.ofDays(1)); // the summary is recomputed, and the day is over
            RecordingHandler later = new RecordingHandler(-1);
            RecoveryResult nothing = fake.recoverFailedEvents(request, later);
            assertEquals(Optional.empty(), nothing.exportId(), "nothing failed since");
            assertEquals(List.of(), later.seen);
        }
    }

    @Test
    void anExportThatCompletesWhileTheRunWaitsForASlotIsRecoveredRatherThanRefusedForTheDay() {
        FakeTime time = new FakeTime();
        try (WebhooksEmulator daily = WebhooksEmulator.builder().failedEvents(50).clock(time)
                .jobDuration(Duration.ofSeconds(20)).start()) {
            BulkExportClient fake = FakeTimeClients.onFakeTime(daily.clientBuilder(), time).build();
            AtomicReference<String> elsewhere = new AtomicReference<>();
            RecordingHandler handler = new RecordingHandler(-1);

            // Someone starts an export between the run's look at the list and its start.
            RecoveryResult result = fake.recoverFailedEvents(RecoveryRequest.of(daily.subscriptionId(), work)
                    .withProgressListener(p -> {
                        if (p.phase() == RecoveryProgress.Phase.STARTING_EXPORT && elsewhere.get() == null) {
                            elsewhere.set(daily.faults().startExportElsewhere());
                        }
                    }), handler);

            assertEquals(Optional.of(elsewhere.get()), result.exportId());
            assertEquals(LongStream.range(0, 50).mapToObj(daily::eventId).toList(), handler.seen);
            List<Integer> starts = daily.journal().stream()
                    .filter(r -> r.method().equals("POST") && r.path().endsWith("/exports")).map(r -> r.status()).toList();
            assertTrue(starts.size() >= 2 && starts.stream().allMatch(status -> status == 409),
                    "refused while the other was active, then for the day: " + starts);
        }
    }

    @Test
    void aFreshDirectoryRecoversACompletedExportNoCheckpointThereHasHandled() {
        client.recoverFailedEvents(request(), new RecordingHandler(-1));
        emulator.clearJournal();
        RecordingHandler elsewhere = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(RecoveryRequest.of(emulator.subscriptionId(),
                work.resolve("elsewhere")), elsewhere);

        assertEquals(allIds(), elsewhere.seen, "its events will never be exported again: they are recovered");
        assertEquals(EVENTS, result.eventsHandled());
        assertEquals(0, posts());
    }

    @Test
    void anExportStartedElsewhereIsAdoptedInsteadOfStartingAnEmptyOne() {
        String started = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id(); // e.g. with curl
        emulator.clearJournal();
        RecordingHandler handler = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(request(), handler);

        assertEquals(Optional.of(started), result.exportId());
        assertEquals(allIds(), handler.seen);
        assertEquals(0, posts(), "no second, empty export");
    }

    @Test
    void ofExportRecoversTheNamedExport() {
        String started = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id();
        RecordingHandler handler = new RecordingHandler(-1);

        RecoveryResult result = client.recoverFailedEvents(
                RecoveryRequest.ofExport(emulator.subscriptionId(), started, work), handler);

        assertEquals(Optional.of(started), result.exportId());
        assertEquals(allIds(), handler.seen);
    }

    @Test
    void aJobTheServiceCanceledIsAbandonedAndANewExportRecoversItsEvents() {
        AtomicBoolean canceled = new AtomicBoolean();
        RecordingHandler handler = new RecordingHandler(-1);
        RecoveryRequest request = request().withProgressListener(progress -> {
            if (progress.phase() == RecoveryProgress.Phase.AWAITING_EXPORT && canceled.compareAndSet(false, true)) {
                client.cancelExport(emulator.subscriptionId(), progress.exportId().orElseThrow()); // the job ends canceled
            }
        });

        RecoveryResult result = client.recoverFailedEvents(request, handler);

        assertEquals(allIds(), handler.seen, "the canceled job's events stayed exportable and were recovered");
        assertEquals(2, posts(), "a new export was started");
        assertEquals(EVENTS, result.eventsHandled());
    }

    @Test
    void aSecondRunOnTheSameDirectoryFailsAtOnceNamingTheHolder() throws Exception {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> first = new CopyOnWriteArrayList<>();
        Thread firstRun = new Thread(() -> client.recoverFailedEvents(request(), event -> {
            first.add(event.eventId().orElseThrow());
            if (first.size() == 5) {
                inHandler.countDown();
                release.await();
            }
        }));
        firstRun.start();
        assertTrue(inHandler.await(20, TimeUnit.SECONDS));
        RecordingHandler second = new RecordingHandler(-1);

        BulkExportException refused = assertThrows(BulkExportException.class,
                () -> client.recoverFailedEvents(request(), second));

        release.countDown();
        firstRun.join(20_000);
        assertTrue(refused.getMessage().contains("in use by another recovery"), refused.getMessage());
        assertTrue(refused.getMessage().contains("pid " + ProcessHandle.current().pid()), refused.getMessage());
        assertEquals(List.of(), second.seen, "the second run handed nothing over");
        assertEquals(allIds(), first, "the first run handed every event once");
    }

    @Test
    void aPoisonEventIsDeadLetteredAfterItsAttemptsAndTheRecoveryGoesOn() throws IOException {
        String poison = emulator.eventId(136);
        List<String> calls = new CopyOnWriteArrayList<>();
        EventHandler handler = event -> {
            calls.add(event.eventId().orElseThrow());
            if (event.eventId().orElseThrow().equals(poison)) {
                throw new IllegalStateException("listener rejects this event for good");
            }
        };

        RecoveryResult result = client.recoverFailedEvents(request().withDeadLettersAfter(3), handler);

        assertEquals(3, calls.stream().filter(poison::equals).count(), "three attempts");
        assertEquals(EVENTS - 1, result.eventsHandled());
        assertEquals(1, result.deadLettered());
        Path letters = work.resolve("dead-letters-" + result.exportId().orElseThrow() + ".ndjson");
        List<String> lines = Files.readAllLines(letters);
        assertEquals(1, lines.size(), lines::toString);
        assertTrue(lines.get(0).contains("\"eventId\":\"" + poison + "\""), lines.get(0));
        assertTrue(lines.get(0).contains("\"line\":137"), lines.get(0));
        assertTrue(lines.get(0).contains("listener rejects this event for good"), lines.get(0));
    }

    @Test
    void withoutDeadLettersAPoisonEventStopsTheRecoveryAtThatEvent() {
        String poison = emulator.eventId(136);
        EventHandler handler = event -> {
            if (event.eventId().orElseThrow().equals(poison)) {
                throw new IllegalStateException("listener rejects this event for good");
            }
        };

        BulkExportException stopped = assertThrows(BulkExportException.class,
                () -> client.recoverFailedEvents(request(), handler));

        assertTrue(stopped.getMessage().contains("line 137"), stopped.getMessage());
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
        RecordingHandler first = new RecordingHandler(-1);
        assertThrows(BulkExportException.class, () -> fragile.recoverFailedEvents(request(), first));
        try (var parts = Files.list(work)) {
            Path part = parts.filter(p -> p.toString().endsWith(".part")).findFirst().orElseThrow();
            assertTrue(Files.size(part) > 0 && Files.size(part) <= 300_000, "the broken run kept its partial file");
        }
        emulator.clearJournal();

        RecordingHandler handler = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), handler);

        // The broken run handled the events of the bytes it got; the next one hands over the rest, once each.
        assertFalse(first.seen.isEmpty(), "events are handled as the file downloads");
        List<String> both = new ArrayList<>(first.seen);
        both.addAll(handler.seen);
        assertEquals(allIds(), both);
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
    void aCrashBetweenCreatingTheCheckpointFileAndItsFirstRecordAdoptsTheJobThatRunStarted() throws IOException {
        Instant before = Instant.now().minusSeconds(1);
        String jobId = client.startExport(StartExportRequest.of(emulator.subscriptionId())).id();
        writeStartingCheckpoint(before);
        Files.write(work.resolve("export-" + jobId + ".checkpoint"), new byte[2048]); // mapped, never written
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
    void aFileThatChangesAfterSomeOfItsEventsWereHandledIsHandledOnWithoutThemExactlyOnce() throws IOException {
        BulkExportClient fragile = emulator.clientBuilder().retryPolicy(RetryPolicy.none()).build();
        emulator.faults().resetDownloadAfter(300_000, 1);
        RecordingHandler first = new RecordingHandler(-1);
        assertThrows(BulkExportException.class, () -> fragile.recoverFailedEvents(request(), first));
        String exportId = emulator.journal().stream().filter(r -> r.path().endsWith("/download")).findFirst()
                .orElseThrow().path().split("/exports/")[1].split("/")[0];
        assertFalse(first.seen.isEmpty(), "the broken run handled the events of the bytes it got");
        assertTrue(emulator.faults().changeFile(exportId), "same events, another order, another validator");

        RecordingHandler second = new RecordingHandler(-1);
        RecoveryResult result = client.recoverFailedEvents(request(), second);

        List<String> both = new ArrayList<>(first.seen);
        both.addAll(second.seen);
        assertEquals(allIds().size(), both.size(), "no event twice, none missing");
        assertEquals(new java.util.HashSet<>(allIds()), new java.util.HashSet<>(both));
        assertEquals(EVENTS, result.eventsHandled());
        assertTrue(Files.size(work.resolve("export-" + exportId + ".ndjson.handled")) > 0,
                "the handled bytes of the earlier version are kept beside the export");
    }

    @Test
    void theCheckpointIsReadableJsonWithTheJobAndPosition() throws IOException {
        RecordingHandler handler = new RecordingHandler(10);
        assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(request(), handler));

        String exportId = emulator.journal().stream().filter(r -> r.path().endsWith("/download")).findFirst()
                .orElseThrow().path().split("/exports/")[1].split("/")[0];
        String text = Files.readString(work.resolve("export-" + exportId + ".checkpoint"), StandardCharsets.UTF_8);

        // STARTED while the file still downloads (the events are handled as it arrives), DOWNLOADED after.
        assertTrue(text.contains("\"phase\":\"DOWNLOADED\"") || text.contains("\"phase\":\"STARTED\""), text);
        assertTrue(text.matches("(?s).*\"fileBytes\":[1-9][0-9]*,.*"), text);
        assertTrue(text.contains("\"handled\":9,"), text);
        assertTrue(text.contains("\"line\":9,"), text);
    }

    /** Writes what an interrupted run leaves just before its start request: the time it began. */
    private void writeStartingCheckpoint(Instant startedAt) throws IOException {
        Files.writeString(work.resolve("start-" + emulator.subscriptionId() + ".intent"), startedAt.toString());
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
