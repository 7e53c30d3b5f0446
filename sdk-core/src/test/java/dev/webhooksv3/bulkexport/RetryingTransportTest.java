package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The retry layer, driven through the public client against WireMock with fake time. */
@WireMockTest
class RetryingTransportTest {

    private static final String JOB = jobJson(EXPORT, "processing", "2026-11-27T11:59:00Z");
    private static final String LIST = "{\"total\":1,\"_embedded\":{\"exports\":[" + JOB + "]}}";

    private final FakeTime time = new FakeTime();

    /** The job path answers {@code first} once, then 200 with the job. */
    private static void firstThenOk(com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder first) {
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("retry").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("answered once"));
        stubFor(get(urlEqualTo(JOB_PATH)).inScenario("retry").whenScenarioStateIs("answered once")
                .willReturn(okJson(JOB)));
    }

    private static int jobRequests() {
        return findAll(getRequestedFor(urlEqualTo(JOB_PATH))).size();
    }

    private static String problem(int status) {
        return "{\"status\":" + status + ",\"title\":\"Problem\",\"details\":\"status " + status + "\"}";
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {408, 429, 502, 503, 504})
    void retriesTransientStatusOnGetThenSucceeds(int status, WireMockRuntimeInfo wm) {
        firstThenOk(aResponse().withStatus(status).withBody(problem(status)));

        ExportJob job = builder(wm, time).build().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(2, jobRequests(), "one failed attempt, one successful retry");
        assertEquals(List.of(Duration.ofMillis(10)), time.sleeps(), "one backoff before the retry");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 404, 409, 500})
    void doesNotRetryPermanentStatusOnGet(int status, WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(status).withBody(problem(status))));
        BulkExportClient client = builder(wm, time).build();

        ApiException error = assertThrows(ApiException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(status, error.status());
        assertEquals(1, jobRequests(), "a permanent error is not sent again");
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void retriesConnectionResetOnGetThenSucceeds(WireMockRuntimeInfo wm) {
        firstThenOk(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        ExportJob job = builder(wm, time).build().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(2, jobRequests());
        assertEquals(List.of(Duration.ofMillis(10)), time.sleeps());
    }

    @Test
    void retriesEmptyResponseOnListThenSucceeds(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).inScenario("empty").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withFault(Fault.EMPTY_RESPONSE)).willSetStateTo("answered once"));
        stubFor(get(urlEqualTo(COLLECTION)).inScenario("empty").whenScenarioStateIs("answered once")
                .willReturn(okJson(LIST)));

        ExportJobList list = builder(wm, time).build().listExports(SUBSCRIPTION);

        assertEquals(1, list.jobs().size());
        assertEquals("answered once", getAllScenarios().get(0).getState(), "the faulty answer was consumed");
    }

    @Test
    void maxAttemptsCountsTheFirstAttempt(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(problem(503))));
        BulkExportClient client = builder(wm, time).retryPolicy(fastRetries().withMaxAttempts(3)).build();

        ServerException error = assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(3, jobRequests());
        assertEquals(503, error.status());
        assertEquals(2, error.getSuppressed().length, "the two earlier attempts are attached");
        for (Throwable earlier : error.getSuppressed()) {
            assertEquals(503, assertInstanceOf(ServerException.class, earlier).status());
        }
    }

    @Test
    void backoffGrowsExponentiallyAndStaysCapped(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(problem(503))));
        BulkExportClient client = builder(wm, time).retryPolicy(fastRetries().withMaxAttempts(6)).build();

        assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(6, jobRequests());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(40),
                Duration.ofMillis(40), Duration.ofMillis(40)), time.sleeps());
    }

    @Test
    void honoursRetryAfterInSecondsOn429(WireMockRuntimeInfo wm) {
        firstThenOk(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody(problem(429)));

        ExportJob job = builder(wm, time).build().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(List.of(Duration.ofSeconds(7)), time.sleeps());
        assertEquals(2, jobRequests());
    }

    @Test
    void honoursRetryAfterAsHttpDateOn429(WireMockRuntimeInfo wm) {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(time.instant().plusSeconds(20).atZone(ZoneOffset.UTC));
        firstThenOk(aResponse().withStatus(429).withHeader("Retry-After", date).withBody(problem(429)));

        ExportJob job = builder(wm, time).build().getExport(SUBSCRIPTION, EXPORT);

        assertEquals(EXPORT, job.id());
        assertEquals(List.of(Duration.ofSeconds(20)), time.sleeps());
        assertEquals(2, jobRequests());
    }

    @Test
    void failsFastWhenRetryAfterExceedsTheCap(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(429)
                .withHeader("Retry-After", "3600").withBody(problem(429))));
        BulkExportClient client = builder(wm, time).build();

        RateLimitedException error = assertThrows(RateLimitedException.class,
                () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(Duration.ofHours(1), error.retryAfter().orElseThrow());
        assertEquals(1, jobRequests());
        assertEquals(List.of(), time.sleeps(), "no wait at all");
    }

    @Test
    void policyNoneMakesExactlyOneAttempt(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(problem(503))));
        BulkExportClient client = builder(wm, time).retryPolicy(RetryPolicy.none()).build();

        ServerException error = assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        assertEquals(1, jobRequests());
        assertEquals(0, error.getSuppressed().length);
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void interruptionWhileWaitingEndsTheCallAndKeepsTheInterruptFlag(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(problem(503))));
        BulkExportClient client = builder(wm, time).sleeper(duration -> {
            throw new InterruptedException("stop");
        }).build();
        try {
            BulkExportException error = assertThrows(BulkExportException.class,
                    () -> client.getExport(SUBSCRIPTION, EXPORT));

            assertInstanceOf(InterruptedException.class, error.getCause());
            assertTrue(Thread.currentThread().isInterrupted(), "the interrupt flag is set again");
            assertEquals(1, jobRequests(), "no further attempt after the interruption");
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void backoffIsJitteredAtTheCapTooAndNeverLonger(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(JOB_PATH)).willReturn(aResponse().withStatus(503).withBody(problem(503))));
        RetryPolicy policy = new RetryPolicy(16, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(1), 0.5);
        BulkExportClient client = builder(wm, time).retryPolicy(policy).build();

        assertThrows(ServerException.class, () -> client.getExport(SUBSCRIPTION, EXPORT));

        List<Duration> atTheCap = time.sleeps().subList(5, 15);
        assertTrue(atTheCap.stream().allMatch(wait -> wait.compareTo(Duration.ofMillis(40)) <= 0
                && wait.compareTo(Duration.ofMillis(20)) >= 0), atTheCap::toString);
        assertTrue(atTheCap.stream().distinct().count() > 1, () -> "a fleet would retry in lockstep: " + atTheCap);
    }
}
