package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.EXPORT;
import static dev.webhooksv3.bulkexport.TestClients.JOB_PATH;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.jobJson;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link BulkExportClient#awaitExport}: polling, intervals, deadline, terminal states, interrupts. */
@WireMockTest
@Timeout(30)
class AwaitExportTest {

    private static final String CREATED = "2026-11-27T11:59:00Z";

    private final FakeTime time = new FakeTime();

    private BulkExportClient client(WireMockRuntimeInfo wm) {
        return TestClients.builder(wm, time).build();
    }

    private static ResponseDefinitionBuilder job(String state) {
        return okJson(jobJson(EXPORT, state, CREATED));
    }

    /** Each poll gets the next response; the last one repeats. */
    private static void pollsAnswer(ResponseDefinitionBuilder... responses) {
        for (int i = 0; i < responses.length; i++) {
            var stub = get(urlEqualTo(JOB_PATH)).inScenario("polls")
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "poll-" + i)
                    .willReturn(responses[i]);
            if (i + 1 < responses.length) {
                stub = stub.willSetStateTo("poll-" + (i + 1));
            }
            stubFor(stub);
        }
    }

    private static Duration sum(List<Duration> durations) {
        return durations.stream().reduce(Duration.ZERO, Duration::plus);
    }

    @Test
    void returnsTheCompletedJobAndReportsEveryPolledJobInOrder(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job("processing"), job("completed"));
        List<ExportJob> seen = new CopyOnWriteArrayList<>();

        ExportJob done = client(wm).awaitExport(SUBSCRIPTION, EXPORT,
                AwaitOptions.defaults().withProgressListener(seen::add));

        assertEquals(ExportState.COMPLETED, done.state());
        assertEquals(EXPORT, done.id());
        assertEquals(List.of(ExportState.PROCESSING, ExportState.PROCESSING, ExportState.COMPLETED),
                seen.stream().map(ExportJob::state).toList());
        verify(3, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void waitsTheInitialDelayThenPollIntervalsGrowingFromTheMinimumToTheMaximum(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job("processing"), job("processing"), job("processing"),
                job("processing"), job("processing"), job("completed"));

        client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()
                .withInitialDelay(Duration.ofSeconds(5))
                .withPollInterval(Duration.ofSeconds(1), Duration.ofSeconds(8)));

        assertEquals(List.of(Duration.ofSeconds(5), Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(8), Duration.ofSeconds(8)), time.sleeps());
    }

    @Test
    void waitsTheRetryAfterOfAStatusResponseBeforeTheNextPoll(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job("processing").withHeader("Retry-After", "9"), job("completed"));

        client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()
                .withPollInterval(Duration.ofSeconds(1), Duration.ofSeconds(30)));

        List<Duration> sleeps = time.sleeps();
        // initial delay (zero), then 1 s (the minimum), then the 9 s the server asked for.
        assertEquals(3, sleeps.size(), sleeps::toString);
        assertEquals(Duration.ofSeconds(1), sleeps.get(1));
        assertEquals(Duration.ofSeconds(9), sleeps.get(2));
    }

    @Test
    void throwsExportWaitTimeoutWithTheJobAndElapsedTimeWhenTheDeadlinePasses(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"));
        Duration deadline = Duration.ofSeconds(100);

        ExportWaitTimeoutException timeout = assertThrows(ExportWaitTimeoutException.class,
                () -> client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()
                        .withPollInterval(Duration.ofSeconds(1), Duration.ofSeconds(30))
                        .withDeadline(deadline)));

        assertEquals(EXPORT, timeout.exportId());
        assertEquals(ExportState.PROCESSING, timeout.lastState());
        assertTrue(timeout.elapsed().compareTo(deadline) >= 0, () -> "elapsed " + timeout.elapsed());
        assertTrue(timeout.getMessage().contains("keeps running"), timeout.getMessage());
        assertTrue(timeout.getMessage().contains("awaitExport"), timeout.getMessage());
        assertTrue(timeout.getMessage().contains(EXPORT), timeout.getMessage());
        assertTrue(sum(time.sleeps()).compareTo(deadline) <= 0, () -> "slept " + time.sleeps());
    }

    @Test
    void neverSleepsPastTheDeadlineEvenWhenTheServerAsksForALongerWait(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing").withHeader("Retry-After", "9"));
        Duration deadline = Duration.ofSeconds(5);

        assertThrows(ExportWaitTimeoutException.class,
                () -> client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()
                        .withInitialDelay(Duration.ofSeconds(3))
                        .withDeadline(deadline)));

        assertEquals(deadline, sum(time.sleeps()), () -> "slept " + time.sleeps());
        assertTrue(time.sleeps().stream().allMatch(wait -> wait.compareTo(deadline) <= 0), time.sleeps()::toString);
    }

    @ParameterizedTest
    @ValueSource(strings = {"failed", "canceled"})
    void throwsExportFailedWithTheJobWhenItEndsWithoutAFile(String state, WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job(state));

        ExportFailedException failed = assertThrows(ExportFailedException.class,
                () -> client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()));

        assertEquals(EXPORT, failed.job().id());
        assertEquals(ExportState.of(state), failed.job().state());
    }

    @ParameterizedTest
    @ValueSource(strings = {"failed", "canceled"})
    void returnsAJobEndedWithoutAFileWhenAnyTerminalStateIsAccepted(String state, WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job(state));

        ExportJob ended = client(wm).awaitExport(SUBSCRIPTION, EXPORT,
                AwaitOptions.defaults().acceptingAnyTerminalState());

        assertEquals(ExportState.of(state), ended.state());
    }

    @Test
    void throwsExportFailedForATerminalStateTheSdkDoesNotKnow(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job("archived"));

        ExportFailedException failed = assertThrows(ExportFailedException.class,
                () -> client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()));

        assertEquals("archived", failed.job().state().value());
        assertFalse(failed.job().state().isKnown());
    }

    @Test
    void throwsCausedByInterruptedExceptionAndKeepsTheInterruptFlagWhenTheWaitIsInterrupted(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"));
        AtomicInteger waits = new AtomicInteger();
        BulkExportClient client = TestClients.builder(wm, time)
                .sleeper(duration -> {
                    if (waits.incrementAndGet() > 1) { // the initial delay passes, the first interval is interrupted
                        throw new InterruptedException("test interrupts the wait");
                    }
                })
                .build();
        try {
            BulkExportException interrupted = assertThrows(BulkExportException.class,
                    () -> client.awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()));

            assertInstanceOf(InterruptedException.class, interrupted.getCause());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag must stay set");
            verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void throwsCausedByInterruptedExceptionAndKeepsTheInterruptFlagWhenCalledOnAnInterruptedThread(
            WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"));
        BulkExportClient client = client(wm);
        Thread.currentThread().interrupt();
        try {
            BulkExportException interrupted = assertThrows(BulkExportException.class,
                    () -> client.awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()));

            assertInstanceOf(InterruptedException.class, interrupted.getCause());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag must stay set");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void goesOnAwaitingAfterATransient503OnAPollIsRetried(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), aResponse().withStatus(503), job("completed"));
        List<ExportJob> seen = new CopyOnWriteArrayList<>();

        ExportJob done = client(wm).awaitExport(SUBSCRIPTION, EXPORT,
                AwaitOptions.defaults().withProgressListener(seen::add));

        assertEquals(ExportState.COMPLETED, done.state());
        assertEquals(List.of(ExportState.PROCESSING, ExportState.COMPLETED), seen.stream().map(ExportJob::state).toList());
        verify(3, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @Test
    void throwsNotFoundWhenTheJobDoesNotExist(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"status\":404,\"title\":\"Not Found\",\"details\":\"no such export\"}")));

        NotFoundException missing = assertThrows(NotFoundException.class,
                () -> client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()));

        assertEquals(404, missing.status());
        verify(1, getRequestedFor(urlEqualTo(JOB_PATH)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "Thu, 01 Jan 1970 00:00:00 GMT"})
    void neverPollsFasterThanTheMinimumIntervalWhateverRetryAfterSays(String retryAfter, WireMockRuntimeInfo wm) {
        ResponseDefinitionBuilder processing = job("processing").withHeader("Retry-After", retryAfter);
        pollsAnswer(processing, processing, processing, processing, job("completed"));

        client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults()
                .withPollInterval(Duration.ofSeconds(1), Duration.ofSeconds(30)));

        List<Duration> betweenPolls = time.sleeps().subList(1, time.sleeps().size()); // after the initial delay
        assertEquals(4, betweenPolls.size(), time.sleeps()::toString);
        assertTrue(betweenPolls.stream().allMatch(wait -> wait.compareTo(Duration.ofSeconds(1)) >= 0),
                () -> "a poll came sooner than the 1 s minimum: " + time.sleeps());
    }

    @Test
    void aForeverDeadlineIsAcceptedAndWaitsLikeAnyOther(WireMockRuntimeInfo wm) {
        pollsAnswer(job("processing"), job("completed"));
        Duration forever = Duration.ofSeconds(Long.MAX_VALUE);

        ExportJob done = client(wm).awaitExport(SUBSCRIPTION, EXPORT, AwaitOptions.defaults().withDeadline(forever)
                .withPollInterval(Duration.ofSeconds(1), forever).withInitialDelay(Duration.ofSeconds(2)));

        assertEquals(ExportState.COMPLETED, done.state());
        assertEquals(List.of(Duration.ofSeconds(2), Duration.ofSeconds(1)), time.sleeps());
    }
}
