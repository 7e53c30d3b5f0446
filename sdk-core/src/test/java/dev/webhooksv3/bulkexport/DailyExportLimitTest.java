package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.*;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * "At most one completed export per 24 hours": its 409 is a {@link DailyExportLimitException}
 * that says when the next export is possible, a start fails at once rather than waiting for a slot
 * that will not come, and a recovery says what to do.
 */
@WireMockTest
class DailyExportLimitTest {

    private static final String NEXT = "2026-11-28T11:30:00Z";
    private static final String DAILY = "An export completed in the last 24 hours; the next export is possible after "
            + NEXT;
    private static final String TOO_MANY = "{\"status\":409,\"title\":\"Conflict\",\"details\":\"Too many active exports\"}";

    @TempDir
    Path work;

    private final FakeTime time = new FakeTime();

    private static ResponseDefinitionBuilder conflict(String details) {
        return aResponse().withStatus(409).withHeader("Content-Type", "application/json")
                .withBody("{\"status\":409,\"title\":\"Conflict\",\"details\":\"" + details + "\"}");
    }

    private static int posts() {
        return findAll(postRequestedFor(urlEqualTo(COLLECTION))).size();
    }

    private DailyExportLimitException startRefused(WireMockRuntimeInfo wm) {
        BulkExportClient client = builder(wm, time).build();
        return assertThrows(DailyExportLimitException.class, () -> client.startExport(
                StartExportRequest.of(SUBSCRIPTION).withWaitForFreeSlot(Duration.ofMinutes(30))));
    }

    @Test
    void aStartRefusedByTheDailyLimitFailsAtOnceInsteadOfWaitingForAFreeSlot(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(conflict(DAILY)));

        DailyExportLimitException refused = startRefused(wm);

        assertEquals(1, posts(), "not sent again");
        assertEquals(List.of(), time.sleeps(), "no wait for a slot");
        assertEquals(Optional.of(Instant.parse(NEXT)), refused.nextExportPossibleAt());
        assertEquals(409, refused.status());
        assertFalse(refused.isTooManyActiveExports());
        assertEquals(Optional.of(DAILY), refused.details());
        assertTrue(refused.getMessage().contains("one completed export per 24 hours"), refused.getMessage());
        assertTrue(refused.getMessage().contains("before " + NEXT), refused.getMessage());
    }

    @Test
    void aDailyLimitMetWhileWaitingForAFreeSlotEndsTheWait(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("slot").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(409).withBody(TOO_MANY)).willSetStateTo("the other completed"));
        stubFor(post(urlEqualTo(COLLECTION)).inScenario("slot").whenScenarioStateIs("the other completed")
                .willReturn(conflict(DAILY)));

        startRefused(wm);

        assertEquals(2, posts());
        assertEquals(1, time.sleeps().size(), "one wait, for the export that was active: " + time.sleeps());
    }

    @Test
    void theLatestInstantOfTheDetailsIsWhenTheNextExportIsPossible(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(conflict(
                "Export completed at 2026-11-27T11:30:00.250Z; one export per 24 hours: retry after " + NEXT)));

        assertEquals(Optional.of(Instant.parse(NEXT)), startRefused(wm).nextExportPossibleAt());
    }

    @Test
    void withoutAnInstantInTheDetailsRetryAfterTellsWhenTheNextExportIsPossible(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(conflict("Only one export per day is allowed")
                .withHeader("Retry-After", "5400")));

        DailyExportLimitException refused = startRefused(wm);

        assertEquals(Optional.of(time.instant().plusSeconds(5400)), refused.nextExportPossibleAt());
        assertEquals(Optional.of(Duration.ofSeconds(5400)), refused.retryAfter());
    }

    @Test
    void withNeitherTheNextExportIsUnknownButTheErrorIsStillTyped(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(conflict("Exports are limited to one completed export every 24h")));

        DailyExportLimitException refused = startRefused(wm);

        assertEquals(Optional.empty(), refused.nextExportPossibleAt());
        assertTrue(refused.getMessage().contains("for a day"), refused.getMessage());
    }

    @Test
    void otherConflictsAreNotTheDailyLimit(WireMockRuntimeInfo wm) {
        stubFor(delete(urlEqualTo(JOB_PATH)).willReturn(conflict("Export " + EXPORT + " has completed; it can no "
                + "longer be canceled")));
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(aResponse().withStatus(409).withBody(TOO_MANY)));
        BulkExportClient client = builder(wm, time).build();

        ConflictException late = assertThrows(ConflictException.class, () -> client.cancelExport(SUBSCRIPTION, EXPORT));
        ConflictException busy = assertThrows(ConflictException.class,
                () -> client.startExport(StartExportRequest.of(SUBSCRIPTION)));

        assertFalse(late instanceof DailyExportLimitException, late.getMessage());
        assertFalse(busy instanceof DailyExportLimitException, busy.getMessage());
    }

    @Test
    void aRecoveryRefusedByTheDailyLimitSaysToRecoverTheExportOfTheDayOrToRunAgainLater(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(COLLECTION)).willReturn(okJson("{\"total\":0,\"_embedded\":{\"exports\":[]}}")));
        stubFor(get(urlPathMatching(".*/summary")).willReturn(okJson("{\"failed\":5,\"exportable\":5}")));
        stubFor(post(urlEqualTo(COLLECTION)).willReturn(conflict(DAILY)));
        BulkExportClient client = builder(wm, time).build();

        DailyExportLimitException refused = assertThrows(DailyExportLimitException.class,
                () -> client.recoverFailedEvents(RecoveryRequest.of(SUBSCRIPTION, work), event -> { }));

        assertEquals(Optional.of(Instant.parse(NEXT)), refused.nextExportPossibleAt());
        assertEquals(1, posts());
        String message = refused.getMessage();
        assertTrue(message.contains("RecoveryRequest.ofExport(\"" + SUBSCRIPTION + "\", exportId, " + work + ")"),
                message);
        assertTrue(message.contains("after " + NEXT + ": run the recovery again then"), message);
        assertEquals(List.of(), time.sleeps(), "no wait for a slot");
    }
}
