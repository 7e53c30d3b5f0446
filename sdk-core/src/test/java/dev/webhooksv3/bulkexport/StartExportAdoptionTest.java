package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Starting an export when the outcome of the POST is unknown, and waiting for a free slot. */
@WireMockTest
class StartExportAdoptionTest {

    private static final String NEW_JOB = "11111111-2222-4333-8444-555555555555";
    private static final String SECOND_JOB = "66666666-7777-4888-9999-aaaaaaaaaaaa";
    private static final String OLD_JOB = "bbbbbbbb-cccc-4ddd-8eee-ffffffffffff";
    private static final String TOO_MANY = "{\"status\":409,\"title\":\"Conflict\",\"details\":\"Too many active exports\"}";

    private final FakeTime time = new FakeTime();
    private final Instant start = time.instant();

    private static String list(String... jobs) {
        return "{\"total\":" + jobs.length + ",\"_embedded\":{\"exports\":[" + String.join(",", jobs) + "]}}";
    }

    /** POST answers {@code first} once, then {@code then} for every later POST. */
    private static void postFirstThen(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("start").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(first).willSetStateTo("posted once"));
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("start").whenScenarioStateIs("posted once")
                .willReturn(then));
    }

    private static int posts() {
        return findAll(postRequestedFor(urlEqualTo(COLLECTION))).size();
    }

    private static int lists() {
        return findAll(getRequestedFor(urlEqualTo(COLLECTION))).size();
    }

    private static ResponseDefinitionBuilder created(String id) {
        return aResponse().withStatus(201).withHeader("Content-Type", "application/json")
                .withBody(jobJson(id, "processing", "2026-11-27T12:00:05Z"));
    }

    @Test
    void adoptsTheJobCreatedSinceTheCallWhenThePostIsReset(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(list(
                jobJson(OLD_JOB, "completed", start.minusSeconds(3600).toString()),
                jobJson(NEW_JOB, "processing", start.toString())))));

        ExportJob job = builder(wm, time).build().startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(NEW_JOB, job.id());
        assertEquals(ExportState.PROCESSING, job.state());
        assertEquals(1, posts(), "the start is never sent twice when a job was adopted");
        assertEquals(1, lists());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {502, 504})
    void adoptsTheJobCreatedSinceTheCallWhenThePostGetsAGatewayError(int status, WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(status)
                .withBody("{\"status\":" + status + ",\"title\":\"Bad Gateway\"}")));
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(list(
                jobJson(NEW_JOB, "processing", start.plusSeconds(1).toString())))));

        ExportJob job = builder(wm, time).build().startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(NEW_JOB, job.id());
        assertEquals(1, posts());
    }

    @Test
    void sendsThePostAgainWhenTheListShowsNoNewJob(WireMockRuntimeInfo wm) {
        postFirstThen(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), created(SECOND_JOB));
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(list(
                jobJson(OLD_JOB, "completed", start.minusSeconds(3600).toString())))));

        ExportJob job = builder(wm, time).build().startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(SECOND_JOB, job.id(), "the answer to the second POST");
        assertEquals(2, posts());
        assertEquals(1, lists());
    }

    @Test
    void retries503OnPostWithoutListing(WireMockRuntimeInfo wm) {
        postFirstThen(aResponse().withStatus(503).withBody("{\"status\":503,\"title\":\"Unavailable\"}"),
                created(NEW_JOB));

        ExportJob job = builder(wm, time).build().startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(NEW_JOB, job.id());
        assertEquals(2, posts());
        assertEquals(0, lists(), "a 503 says the server did not act: nothing to adopt");
    }

    @Test
    void waitsForAFreeSlotWhenAskedTo(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("slot").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(409).withBody(TOO_MANY)).willSetStateTo("busy twice"));
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("slot").whenScenarioStateIs("busy twice")
                .willReturn(aResponse().withStatus(409).withBody(TOO_MANY)).willSetStateTo("free"));
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("slot").whenScenarioStateIs("free")
                .willReturn(created(NEW_JOB)));

        ExportJob job = builder(wm, time).build().startExport(
                StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(Duration.ofMinutes(5)));

        assertEquals(NEW_JOB, job.id());
        assertEquals(3, posts());
        List<Duration> sleeps = time.sleeps();
        assertEquals(2, sleeps.size(), "one wait after each 409: " + sleeps);
        sleeps.forEach(wait -> assertTrue(wait.compareTo(Duration.ZERO) > 0, "waits are positive: " + sleeps));
    }

    @Test
    void throwsTooManyActiveExportsAtOnceWithoutTheOptIn(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(409).withBody(TOO_MANY)));
        BulkExportClient client = builder(wm, time).build();

        ConflictException error = assertThrows(ConflictException.class,
                () -> client.startExport(StartExportRequest.of(SUBSCRIPTION)));

        assertTrue(error.isTooManyActiveExports());
        assertEquals(1, posts());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void givesUpWaitingForAFreeSlotOnceTheDeadlineHasPassed(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(409).withBody(TOO_MANY)));
        BulkExportClient client = builder(wm, time).build();
        Duration deadline = Duration.ofSeconds(2);

        ConflictException error = assertThrows(ConflictException.class,
                () -> client.startExport(StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(deadline)));

        assertTrue(error.isTooManyActiveExports());
        assertFalse(time.instant().isBefore(start.plus(deadline)), "gave up only once the deadline had passed");
        Duration slept = time.sleeps().stream().reduce(Duration.ZERO, Duration::plus);
        assertTrue(slept.compareTo(deadline) <= 0, "slept " + slept + " in all, more than the deadline");
        assertTrue(posts() >= 2, "tried again at least once within the deadline");
    }

    @Test
    void adoptsTheJobWhenThe2xxAnswerToTheStartCannotBeRead(WireMockRuntimeInfo wm) {
        // Sent, answered 201, but the body is more than the client reads: the job was made, its id is unknown.
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(201)
                .withHeader("Content-Type", "application/json").withBody(new byte[9 * 1024 * 1024])));
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson(list(
                jobJson(NEW_JOB, "processing", start.plusSeconds(1).toString())))));

        ExportJob job = builder(wm, time).build().startExport(StartExportRequest.of(SUBSCRIPTION));

        assertEquals(NEW_JOB, job.id());
        assertEquals(1, posts(), "never sent twice");
        assertEquals(1, lists());
    }

    @Test
    void aForeverWaitForAFreeSlotIsAccepted(WireMockRuntimeInfo wm) {
        postFirstThen(aResponse().withStatus(409).withBody(TOO_MANY), created(NEW_JOB));

        ExportJob job = builder(wm, time).build().startExport(
                StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(Duration.ofSeconds(Long.MAX_VALUE)));

        assertEquals(NEW_JOB, job.id());
        assertEquals(2, posts());
    }

    @Test
    void adoptsTheJobAnAmbiguousStartMadeWhenTheResentStartMeets409(WireMockRuntimeInfo wm) {
        // The first POST creates the job but its answer is a 504; the list does not show the job yet, so the
        // start is sent again and refused: the job is active. It must be adopted, not waited out.
        postFirstThen(aResponse().withStatus(504).withBody("gateway timeout"),
                aResponse().withStatus(409).withBody(TOO_MANY));
        stubFor(get(urlEqualTo(COLLECTION)).inScenario("list").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(okJson(list())).willSetStateTo("visible"));
        stubFor(get(urlEqualTo(COLLECTION)).inScenario("list").whenScenarioStateIs("visible")
                .willReturn(okJson(list(jobJson(NEW_JOB, "processing", start.plusSeconds(1).toString())))));

        ExportJob job = builder(wm, time).build().startExport(
                StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(Duration.ofMinutes(30)));

        assertEquals(NEW_JOB, job.id(), "the job holding the events");
        assertEquals(2, posts());
        assertEquals(2, lists());
    }
}
