package dev.webhooksv3.bulkexport;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;
import com.github.tomakehurst.wiremock.junit5.WireMockTest;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link ListenerDelivery} against a WireMock listener on loopback, with fake time. */
@WireMockTest
class ListenerDeliveryTest {

    private static final String PATH = "/hooks/events";
    private static final String SECRET = "Bearer listener-s3cr3t-77a1";
    private static final String JWS = jws("{\"jti\":\"jti-1\",\"iss\":\"https://issuer.example\"}");

    private final FakeTime time = new FakeTime();

    private static String jws(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\"}".getBytes(UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(UTF_8)) + "." + b64.encodeToString(new byte[] {1, 2, 3, 4});
    }

    /** An export line of shape (a), with the JWS as its request payload. */
    private static FailedEvent shapeA() {
        return only("{\"id\":\"evt-1\",\"state\":\"failure\",\"request\":{\"endpoint\":\"https://l.example/h\","
                + "\"payload\":\"" + JWS + "\"}}");
    }

    private static FailedEvent only(String line) {
        try (EventStream events = EventStream.of(new ByteArrayInputStream((line + "\n").getBytes(UTF_8)))) {
            return events.iterator().next();
        }
    }

    private ListenerDelivery.Builder delivery(WireMockRuntimeInfo wm) {
        return ListenerDelivery.to(URI.create(wm.getHttpBaseUrl() + PATH)).header("Authorization", SECRET)
                .retryPolicy(new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofMinutes(1), 0))
                .requestTimeout(Duration.ofSeconds(5)).sleeper(time).clock(time);
    }

    private static int posts() {
        return findAll(postRequestedFor(urlEqualTo(PATH))).size();
    }

    private static void firstThen(ResponseDefinitionBuilder first, ResponseDefinitionBuilder then) {
        stubFor(post(PATH).inScenario("s").whenScenarioStateIs(Scenario.STARTED).willReturn(first)
                .willSetStateTo("answered"));
        stubFor(post(PATH).inScenario("s").whenScenarioStateIs("answered").willReturn(then));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {200, 202, 204})
    void deliversOnSuccessStatusOnce(int status, WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(status)));

        delivery(wm).build().handle(shapeA());

        assertEquals(1, posts());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void sendsTheJwsAsSecurityEventTokenWithTheListenersHeader(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(202)));

        delivery(wm).header("X-Tenant", "t-1").build().handle(shapeA());

        verify(1, postRequestedFor(urlEqualTo(PATH))
                .withHeader("Content-Type", equalTo("application/secevent+jwt"))
                .withHeader("Authorization", equalTo(SECRET))
                .withHeader("X-Tenant", equalTo("t-1"))
                .withRequestBody(equalTo(JWS)));
    }

    @Test
    void rejectsForGoodOnRfc8935RefusalWithErrAndDescription(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(400)
                .withBody("{\"err\":\"invalid_key\",\"description\":\"unknown signing key\"}")));

        EventRejectedException e = assertThrows(EventRejectedException.class, () -> delivery(wm).build().handle(shapeA()));

        assertEquals("invalid_key: unknown signing key", e.reason());
        assertTrue(e.getMessage().contains("evt-1") && e.getMessage().contains("line 1"), e.getMessage());
        assertEquals(1, posts(), "a refusal for good is not sent again");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {401, 403, 404, 405, 415, 302})
    void rejectsForGoodOnOtherClientStatusesAndRedirects(int status, WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(status).withHeader("Location", "https://elsewhere.example/")
                .withBody("no: " + SECRET)));

        EventRejectedException e = assertThrows(EventRejectedException.class, () -> delivery(wm).build().handle(shapeA()));

        assertTrue(e.reason().startsWith("HTTP " + status), e.reason());
        assertFalse(e.getMessage().contains(SECRET), "an echoed header value is masked: " + e.getMessage());
        assertEquals(1, posts());
    }

    @Test
    void waitsForRetryAfterOn429ThenDelivers(WireMockRuntimeInfo wm) {
        firstThen(aResponse().withStatus(429).withHeader("Retry-After", "7"), aResponse().withStatus(202));

        delivery(wm).build().handle(shapeA());

        assertEquals(2, posts());
        assertEquals(List.of(Duration.ofSeconds(7)), time.sleeps());
    }

    @Test
    void readsRetryAfterAsHttpDate(WireMockRuntimeInfo wm) {
        firstThen(aResponse().withStatus(503).withHeader("Retry-After", "Fri, 27 Nov 2026 12:00:30 GMT"),
                aResponse().withStatus(202));

        delivery(wm).build().handle(shapeA());

        assertEquals(List.of(Duration.ofSeconds(30)), time.sleeps());
    }

    @Test
    void givesUpAtOnceWhenRetryAfterIsLongerThanThePolicyAllows(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "3600")));

        BulkExportException e = assertThrows(BulkExportException.class, () -> delivery(wm).build().handle(shapeA()));

        assertFalse(e instanceof EventRejectedException, "a rate limit is not a refusal for good");
        assertEquals(1, posts());
        assertEquals(List.of(), time.sleeps());
    }

    @Test
    void retries503WithBackoffThenDelivers(WireMockRuntimeInfo wm) {
        firstThen(aResponse().withStatus(503), aResponse().withStatus(202));

        delivery(wm).build().handle(shapeA());

        assertEquals(2, posts());
        assertEquals(List.of(Duration.ofMillis(10)), time.sleeps());
    }

    @Test
    void retriesAfterConnectionResetThenDelivers(WireMockRuntimeInfo wm) {
        firstThen(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), aResponse().withStatus(204));

        delivery(wm).build().handle(shapeA());

        assertEquals(2, posts());
    }

    @Test
    void throwsRetryableFailureWithEarlierAttemptsOnceTheBudgetIsSpent(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(500).withBody("down")));

        BulkExportException e = assertThrows(BulkExportException.class, () -> delivery(wm).build().handle(shapeA()));

        assertFalse(e instanceof EventRejectedException);
        assertTrue(e.getMessage().contains("500") && e.getMessage().contains("attempt 3"), e.getMessage());
        assertEquals(2, e.getSuppressed().length, "the two earlier attempts");
        assertEquals(3, posts());
        assertEquals(List.of(Duration.ofMillis(10), Duration.ofMillis(20)), time.sleeps());
    }

    @Test
    void refusesDecodedClaimsLineWithoutBodyFunctionNamingTheLine(WireMockRuntimeInfo wm) {
        FailedEvent claims = only("{\"jti\":\"jti-2\",\"iss\":\"https://issuer.example\",\"events\":{}}");

        EventRejectedException e = assertThrows(EventRejectedException.class, () -> delivery(wm).build().handle(claims));

        assertTrue(e.getMessage().contains("line 1") && e.getMessage().contains("bodyFunction"), e.getMessage());
        assertEquals(0, posts());
    }

    @Test
    void sendsDecodedClaimsLineThroughTheBodyFunction(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(202)));
        FailedEvent claims = only("{\"jti\":\"jti-2\",\"iss\":\"https://issuer.example\",\"events\":{}}");

        delivery(wm).bodyFunction(event -> "signed." + event.claims().get("jti") + ".sig").build().handle(claims);

        verify(postRequestedFor(urlEqualTo(PATH)).withRequestBody(equalTo("signed.jti-2.sig")));
    }

    @Test
    void refusesPlainHttpOffLoopbackAtBuildTime() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ListenerDelivery.to(URI.create("http://hooks.example.com/events")));

        assertTrue(e.getMessage().contains("https"), e.getMessage());
    }

    @Test
    void refusesAClientThatFollowsRedirects() {
        HttpClient following = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build();

        assertThrows(IllegalArgumentException.class,
                () -> ListenerDelivery.to(URI.create("https://hooks.example.com/events")).httpClient(following));
    }

    @Test
    void keepsHeaderValuesOutOfToStringAndInvalidHeaderMessages() {
        ListenerDelivery.Builder builder = ListenerDelivery.to(URI.create("https://hooks.example.com/e?key=q-secret"))
                .header("Authorization", SECRET);

        String text = builder.build().toString();
        IllegalArgumentException invalid = assertThrows(IllegalArgumentException.class,
                () -> builder.header("X-Key", SECRET + "\r\nInjected: 1"));

        assertTrue(text.contains("Authorization=***"), text);
        assertFalse(text.contains(SECRET) || text.contains("q-secret"), text);
        assertFalse(invalid.getMessage().contains(SECRET), invalid.getMessage());
    }

    @Test
    void keepsHeaderValuesOutOfFailureMessages(WireMockRuntimeInfo wm) {
        stubFor(post(PATH).willReturn(aResponse().withStatus(503).withBody("echo " + SECRET)));

        BulkExportException e = assertThrows(BulkExportException.class, () -> delivery(wm).build().handle(shapeA()));

        assertFalse(e.getMessage().contains(SECRET), e.getMessage());
        for (Throwable earlier : e.getSuppressed()) {
            assertFalse(earlier.getMessage().contains(SECRET), earlier.getMessage());
        }
    }
}
