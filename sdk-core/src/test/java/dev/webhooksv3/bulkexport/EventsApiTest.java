package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static dev.webhooksv3.bulkexport.TestClients.CUSTOMER;
import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static dev.webhooksv3.bulkexport.TestClients.TOKEN;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The event store through the client: HAL paging, filters, one event, redelivery; against WireMock. */
@WireMockTest
class EventsApiTest {

    static final String EVENTS = "/" + CUSTOMER + "/webhooks/subscriptions/" + SUBSCRIPTION + "/events";
    static final String E1 = "1e7c0a52-0000-4000-8000-000000000001";
    static final String E2 = "1e7c0a52-0000-4000-8000-000000000002";
    static final String E3 = "1e7c0a52-0000-4000-8000-000000000003";
    static final String E4 = "1e7c0a52-0000-4000-8000-000000000004";
    static final String E5 = "1e7c0a52-0000-4000-8000-000000000005";
    static final String CREATED = "2026-11-26T10:00:00.123456Z";
    static final String UPDATED = "2026-11-27T10:00:03Z";

    static BulkExportClient client(WireMockRuntimeInfo wm) {
        return TestClients.builder(wm, new FakeTime()).build();
    }

    /** An event as the emulator (and our reading of the API) shapes it. */
    static String eventJson(String id, String state) {
        return "{\"id\":\"" + id + "\",\"state\":\"" + state + "\",\"createdAt\":\"" + CREATED + "\",\"updatedAt\":\""
                + UPDATED + "\",\"attempts\":6,\"endpoint\":\"https://listener.example.com/hook\",\"exported\":false,"
                + "\"_links\":{\"self\":{\"href\":\"" + EVENTS + "/" + id + "\"},\"redeliver\":{\"href\":\"" + EVENTS
                + "/" + id + "/redeliver\"}}}";
    }

    static String pageJson(String nextHref, String... events) {
        return "{\"_embedded\":{\"events\":[" + String.join(",", events) + "]},\"_links\":{\"self\":{\"href\":\""
                + EVENTS + "\"}" + (nextHref == null ? "" : ",\"next\":{\"href\":\"" + nextHref + "\"}") + "}}";
    }

    static void assertNoToken(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(TOKEN), () -> "token in message: " + error);
            for (Throwable suppressed : t.getSuppressed()) {
                assertFalse(String.valueOf(suppressed.getMessage()).contains(TOKEN), () -> "token in " + suppressed);
            }
        }
    }

    private static void stubThreePages() {
        stubFor(get(urlEqualTo(EVENTS + "?state=failure&limit=2")).willReturn(okJson(pageJson(
                EVENTS + "?state=failure&after=" + E2 + "&limit=2", eventJson(E1, "failure"), eventJson(E2, "failure")))));
        stubFor(get(urlEqualTo(EVENTS + "?state=failure&after=" + E2 + "&limit=2")).willReturn(okJson(pageJson(
                "?state=failure&after=" + E4 + "&limit=2", eventJson(E3, "failure"), eventJson(E4, "failure")))));
        stubFor(get(urlEqualTo(EVENTS + "?state=failure&after=" + E4 + "&limit=2")).willReturn(okJson(pageJson(
                null, eventJson(E5, "failure")))));
    }

    // ---- listEvents ------------------------------------------------------------------------

    @Test
    void listEventsFollowsNextLinksAcrossThreePagesReadingEachOnlyWhenReached(WireMockRuntimeInfo wm) {
        stubThreePages();

        try (Stream<StoredEvent> events = client(wm).listEvents(EventQuery.failed(SUBSCRIPTION).withPageSize(2))) {
            assertEquals(1, getAllServeEvents().size(), "the first page is read at once");
            Iterator<StoredEvent> iterator = events.iterator();
            assertEquals(E1, iterator.next().id());
            assertEquals(E2, iterator.next().id());
            assertEquals(1, getAllServeEvents().size(), "page 2 is not read before it is needed");
            assertTrue(iterator.hasNext());
            assertEquals(2, getAllServeEvents().size());
            List<String> rest = Stream.iterate(iterator.next(), e -> iterator.hasNext() ? iterator.next() : null)
                    .takeWhile(e -> e != null).map(StoredEvent::id).toList();
            assertEquals(List.of(E3, E4, E5), rest);
        }
        assertEquals(3, getAllServeEvents().size());
        verify(3, getRequestedFor(urlPathEqualTo(EVENTS)).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void storedEventCarriesEveryMemberTheServiceSends(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(null, eventJson(E1, "failure")))));

        StoredEvent event = client(wm).listEvents(EventQuery.of(SUBSCRIPTION)).findFirst().orElseThrow();

        assertEquals(E1, event.id());
        assertEquals(EventState.FAILURE, event.state());
        assertEquals(Instant.parse(CREATED), event.createdAt().orElseThrow());
        assertEquals(Instant.parse(UPDATED), event.updatedAt().orElseThrow());
        assertEquals(6, event.attempts().orElseThrow());
        assertEquals("https://listener.example.com/hook", event.endpoint().orElseThrow());
        assertEquals(false, event.exported().orElseThrow());
        assertEquals(wm.getHttpBaseUrl() + EVENTS + "/" + E1 + "/redeliver", event.links().get("redeliver").toString());
    }

    @Test
    void unknownStatesAndMembersAreKeptOrIgnoredAndMissingOnesAreEmpty(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(null,
                "{\"id\":\"" + E1 + "\",\"state\":\"quarantined\",\"colour\":{\"nested\":[1,2]}}"))));

        StoredEvent event = client(wm).listEvents(EventQuery.of(SUBSCRIPTION)).findFirst().orElseThrow();

        assertEquals("quarantined", event.state().value());
        assertFalse(event.state().isKnown());
        assertTrue(event.createdAt().isEmpty());
        assertTrue(event.updatedAt().isEmpty());
        assertTrue(event.attempts().isEmpty());
        assertTrue(event.endpoint().isEmpty());
        assertTrue(event.exported().isEmpty());
        assertTrue(event.links().isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"failure", "success", "awaiting-retry", "awaiting-executing"})
    void listEventsSendsTheStateFilter(String state, WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS + "?state=" + state)).willReturn(okJson(pageJson(null, eventJson(E1, state)))));

        List<StoredEvent> events = client(wm).listEvents(EventQuery.of(SUBSCRIPTION).withState(EventState.of(state)))
                .toList();

        assertEquals(EventState.of(state), events.get(0).state());
        assertTrue(events.get(0).state().isKnown());
        verify(1, getRequestedFor(urlPathEqualTo(EVENTS)).withQueryParam("state", equalTo(state)));
    }

    @Test
    void listEventsSendsCursorsAndPageSize(WireMockRuntimeInfo wm) {
        stubFor(get(urlPathEqualTo(EVENTS)).willReturn(okJson(pageJson(null, eventJson(E3, "failure")))));

        List<StoredEvent> events = client(wm).listEvents(EventQuery.of(SUBSCRIPTION).withAfter(E2).withBefore(E4)
                .withPageSize(50)).toList();

        assertEquals(1, events.size());
        verify(getRequestedFor(urlEqualTo(EVENTS + "?after=" + E2 + "&before=" + E4 + "&limit=50")));
    }

    @Test
    void anUnknownStateIsEncodedIntoTheQuery(WireMockRuntimeInfo wm) {
        stubFor(get(urlPathEqualTo(EVENTS)).willReturn(okJson(pageJson(null))));

        assertEquals(0, client(wm).listEvents(EventQuery.of(SUBSCRIPTION).withState(EventState.of("a&b=c")))
                .count());

        verify(getRequestedFor(urlEqualTo(EVENTS + "?state=a%26b%3Dc")));
    }

    @Test
    void listEventsRefusesNextLinkToAnotherHostWithoutSendingThere(WireMockRuntimeInfo wm) {
        String otherHost = "http://127.0.0.1:" + wm.getHttpPort();
        assertTrue(wm.getHttpBaseUrl().startsWith("http://localhost:"), "test assumes a localhost base URL");
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(otherHost + EVENTS + "?after=" + E1,
                eventJson(E1, "failure")))));
        stubFor(get(urlEqualTo(EVENTS + "?after=" + E1)).willReturn(okJson(pageJson(null, eventJson(E2, "failure")))));

        Iterator<StoredEvent> events = client(wm).listEvents(EventQuery.of(SUBSCRIPTION)).iterator();
        assertEquals(E1, events.next().id());
        BulkExportException error = assertThrows(BulkExportException.class, events::hasNext);

        assertFalse(error instanceof TransportException, "refused before any connection: " + error);
        assertTrue(error.getMessage().contains("127.0.0.1:" + wm.getHttpPort()), error.getMessage());
        assertTrue(error.getMessage().contains("another origin"), error.getMessage());
        assertNoToken(error);
        assertEquals(1, getAllServeEvents().size());
        assertFalse(events.hasNext(), "a listing that failed hands out nothing more");
    }

    @Test
    void aMalformedPageIsAnApiExceptionNamingThePageAndTheProblem(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(EVENTS + "?after=" + E1, eventJson(E1, "failure")))));
        stubFor(get(urlEqualTo(EVENTS + "?after=" + E1)).willReturn(okJson(
                "{\"_embedded\":{\"events\":{\"id\":\"" + E2 + "\"}}}")));

        Stream<StoredEvent> events = client(wm).listEvents(EventQuery.of(SUBSCRIPTION));
        ApiException error = assertThrows(ApiException.class, events::toList);

        assertEquals(EVENTS, error.path());
        assertEquals(200, error.status());
        String message = error.getMessage();
        assertTrue(message.contains("GET " + EVENTS), message);
        assertTrue(message.contains("event list page 2 (?after=" + E1 + ")"), message);
        assertTrue(message.contains("\"_embedded.events\" is not an array"), message);
        assertNoToken(error);
    }

    @Test
    void anEventWithoutStateOrWithAnUnsafeIdMakesThePageMalformed(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(null, "{\"id\":\"" + E1 + "\"}"))));
        stubFor(get(urlEqualTo(EVENTS + "?state=success")).willReturn(okJson(pageJson(null,
                "{\"id\":\"../../exports\",\"state\":\"success\"}"))));
        BulkExportClient client = client(wm);

        ApiException noState = assertThrows(ApiException.class, () -> client.listEvents(EventQuery.of(SUBSCRIPTION)));
        ApiException unsafe = assertThrows(ApiException.class,
                () -> client.listEvents(EventQuery.of(SUBSCRIPTION).withState(EventState.SUCCESS)));

        assertTrue(noState.getMessage().contains("event list page 1: event " + E1 + ": "), noState.getMessage());
        assertTrue(noState.getMessage().contains("lacks required member \"state\""), noState.getMessage());
        assertTrue(unsafe.getMessage().contains("is not a safe path segment"), unsafe.getMessage());
    }

    @Test
    @Timeout(10)
    void aNextLinkBackToAPageAlreadyReadEndsTheListing(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS)).willReturn(okJson(pageJson(EVENTS + "?after=" + E1, eventJson(E1, "failure")))));
        stubFor(get(urlEqualTo(EVENTS + "?after=" + E1)).willReturn(okJson(pageJson(EVENTS, eventJson(E2, "failure")))));

        Stream<StoredEvent> events = client(wm).listEvents(EventQuery.of(SUBSCRIPTION));
        BulkExportException error = assertThrows(BulkExportException.class, events::toList);

        assertTrue(error.getMessage().contains("already read"), error.getMessage());
        assertEquals(2, getAllServeEvents().size());
    }

    @Test
    void closingTheStreamEarlyReadsNoFurtherPage(WireMockRuntimeInfo wm) {
        stubThreePages();

        try (Stream<StoredEvent> events = client(wm).listEvents(EventQuery.failed(SUBSCRIPTION).withPageSize(2))) {
            assertEquals(E1, events.iterator().next().id());
        }

        assertEquals(1, getAllServeEvents().size());
    }

    @Test
    void listEventsOfAnUnknownSubscriptionThrowsNotFoundAtOnce(WireMockRuntimeInfo wm) {
        stubFor(get(urlPathEqualTo(EVENTS)).willReturn(jsonResponse(
                "{\"status\":404,\"title\":\"Not Found\",\"details\":\"Subscription not found\"}", 404)));

        NotFoundException error = assertThrows(NotFoundException.class,
                () -> client(wm).listEvents(EventQuery.failed(SUBSCRIPTION)));

        assertTrue(error.getMessage().contains("GET " + EVENTS + " answered 404"), error.getMessage());
        assertNoToken(error);
    }

    // ---- getEvent --------------------------------------------------------------------------

    @Test
    void getEventReadsOneEvent(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS + "/" + E3)).willReturn(okJson(eventJson(E3, "awaiting-retry"))));

        StoredEvent event = client(wm).getEvent(SUBSCRIPTION, E3);

        assertEquals(E3, event.id());
        assertEquals(EventState.AWAITING_RETRY, event.state());
    }

    @Test
    void getEventOfAnUnknownEventThrowsNotFound(WireMockRuntimeInfo wm) {
        stubFor(get(urlEqualTo(EVENTS + "/" + E3)).willReturn(jsonResponse(
                "{\"status\":404,\"title\":\"Not Found\",\"details\":\"Event " + E3 + " not found\"}", 404)));

        NotFoundException error = assertThrows(NotFoundException.class, () -> client(wm).getEvent(SUBSCRIPTION, E3));

        assertEquals("GET", error.method());
        assertEquals(EVENTS + "/" + E3, error.path());
        assertNoToken(error);
    }

    @Test
    void getEventRefusesAnIdThatIsNotAPathSegmentWithoutSending(WireMockRuntimeInfo wm) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> client(wm).getEvent(SUBSCRIPTION, "../exports"));

        assertTrue(error.getMessage().contains("eventId"), error.getMessage());
        assertEquals(0, getAllServeEvents().size());
    }

    // ---- redeliverEvent --------------------------------------------------------------------

    static String redeliverPath(String id) {
        return EVENTS + "/" + id + "/redeliver";
    }

    static String conflict(String details) {
        return "{\"status\":409,\"title\":\"Conflict\",\"details\":\"" + details + "\"}";
    }

    @Test
    void redeliverEventReturnsTheEventInItsNewState(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse(
                "{\"id\":\"" + E1 + "\",\"state\":\"awaiting-retry\"}", 202)));

        StoredEvent event = client(wm).redeliverEvent(SUBSCRIPTION, E1);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        assertTrue(event.attempts().isEmpty(), "members the answer leaves out are empty");
        verify(1, postRequestedFor(urlEqualTo(redeliverPath(E1))).withHeader("Authorization", equalTo("Bearer " + TOKEN)));
    }

    @Test
    void redeliverEventReadsTheEventWhenTheAnswerHasNoBody(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(aResponse().withStatus(204)));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).willReturn(okJson(eventJson(E1, "awaiting-retry"))));

        StoredEvent event = client(wm).redeliverEvent(SUBSCRIPTION, E1);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        assertEquals(6, event.attempts().orElseThrow());
    }

    @Test
    void redeliveryOfAnEventNotFailedIsRefusedWithThatReason(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse(
                conflict("Event " + E1 + " is not in state failure (it is success)"), 409)));

        RedeliveryRefusedException error = assertThrows(RedeliveryRefusedException.class,
                () -> client(wm).redeliverEvent(SUBSCRIPTION, E1));

        assertEquals(RedeliveryRefusedException.Reason.EVENT_NOT_FAILED, error.reason());
        assertEquals(E1, error.eventId());
        assertEquals(409, error.status());
        assertFalse(error.isTooManyActiveExports());
        assertTrue(error.getMessage().contains("POST " + redeliverPath(E1) + " answered 409"), error.getMessage());
        assertTrue(error.getMessage().contains("is not in state failure"), error.getMessage());
        assertNoToken(error);
        verify(1, postRequestedFor(urlEqualTo(redeliverPath(E1))));
    }

    @Test
    void redeliveryOnADisabledSubscriptionIsRefusedWithThatReason(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse(
                conflict("Subscription " + SUBSCRIPTION + " is disabled"), 409)));

        ConflictException error = assertThrows(ConflictException.class,
                () -> client(wm).redeliverEvent(SUBSCRIPTION, E1));

        RedeliveryRefusedException refused = assertInstanceOf(RedeliveryRefusedException.class, error);
        assertEquals(RedeliveryRefusedException.Reason.SUBSCRIPTION_DISABLED, refused.reason());
        assertTrue(error.getMessage().contains("is disabled"), error.getMessage());
    }

    @Test
    void aRefusalInOtherWordsHasReasonOther(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse(conflict("Try again tomorrow"), 409)));

        RedeliveryRefusedException error = assertThrows(RedeliveryRefusedException.class,
                () -> client(wm).redeliverEvent(SUBSCRIPTION, E1));

        assertEquals(RedeliveryRefusedException.Reason.OTHER, error.reason());
        assertEquals("Try again tomorrow", error.details().orElseThrow());
    }

    @Test
    void redeliveryOfAnEventNotInTheStoreThrowsNotFound(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse(
                "{\"status\":404,\"title\":\"Not Found\",\"details\":\"Event not found\"}", 404)));

        assertThrows(NotFoundException.class, () -> client(wm).redeliverEvent(SUBSCRIPTION, E1));
    }

    @Test
    void afterAnUnknownOutcomeAnEventNoLongerFailedIsAdoptedWithoutSendingAgain(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).willReturn(okJson(eventJson(E1, "awaiting-retry"))));

        StoredEvent event = client(wm).redeliverEvent(SUBSCRIPTION, E1);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        verify(1, postRequestedFor(urlEqualTo(redeliverPath(E1))));
    }

    @Test
    void afterAnUnknownOutcomeAnEventStillFailedIsSentAgain(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).inScenario("redeliver").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(jsonResponse("{\"status\":502,\"title\":\"Bad Gateway\"}", 502)).willSetStateTo("sent"));
        stubFor(post(urlEqualTo(redeliverPath(E1))).inScenario("redeliver").whenScenarioStateIs("sent")
                .willReturn(jsonResponse("{\"id\":\"" + E1 + "\",\"state\":\"awaiting-retry\"}", 202)));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).willReturn(okJson(eventJson(E1, "failure"))));

        StoredEvent event = client(wm).redeliverEvent(SUBSCRIPTION, E1);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        verify(2, postRequestedFor(urlEqualTo(redeliverPath(E1))));
        verify(1, getRequestedFor(urlEqualTo(EVENTS + "/" + E1)));
    }

    @Test
    void aNotFailedRefusalAfterAnUnknownOutcomeIsTheEarlierRequestLandingLate(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).inScenario("late").whenScenarioStateIs(Scenario.STARTED)
                .willReturn(jsonResponse("{\"status\":504,\"title\":\"Gateway Timeout\"}", 504)).willSetStateTo("sent"));
        stubFor(post(urlEqualTo(redeliverPath(E1))).inScenario("late").whenScenarioStateIs("landed")
                .willReturn(jsonResponse(conflict("Event " + E1 + " is not in state failure"), 409)));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).inScenario("late").whenScenarioStateIs("sent")
                .willReturn(okJson(eventJson(E1, "failure"))).willSetStateTo("landed"));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).inScenario("late").whenScenarioStateIs("landed")
                .willReturn(okJson(eventJson(E1, "awaiting-retry"))));

        StoredEvent event = client(wm).redeliverEvent(SUBSCRIPTION, E1);

        assertEquals(EventState.AWAITING_RETRY, event.state());
        verify(2, postRequestedFor(urlEqualTo(redeliverPath(E1))));
    }

    @Test
    void anUnknownOutcomeIsSentAtMostAsOftenAsThePolicyAllowsThenThrownWithTheEarlierOnes(WireMockRuntimeInfo wm) {
        stubFor(post(urlEqualTo(redeliverPath(E1))).willReturn(jsonResponse("{\"status\":500}", 500)));
        stubFor(get(urlEqualTo(EVENTS + "/" + E1)).willReturn(okJson(eventJson(E1, "failure"))));

        ServerException error = assertThrows(ServerException.class, () -> client(wm).redeliverEvent(SUBSCRIPTION, E1));

        verify(4, postRequestedFor(urlEqualTo(redeliverPath(E1))));
        assertEquals(3, error.getSuppressed().length);
        assertNoToken(error);
    }
}
