package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.Ndjson.readAll;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FailedEventTest {

    private static final String ID = "28da8068-4cd1-4b6b-9f3c-0e1b2a3c4d5e";
    private static final String JTI = "b70046bd-1d2e-4f5a-8b9c-0d1e2f3a4b5c";
    private static final String ENDPOINT = "https://listener.example.com/hook";
    private static final String SUB = "6b00f1a2-3c4d-4e5f-8a9b-0c1d2e3f4a5b";
    private static final long IAT = 1563488631L;
    private static final long TOE_SECONDS = 1559372400L;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    // ---------------------------------------------------------------- shape (a): event-store record

    @Test
    void recordLineExposesIdAttemptsEndpointStateAndTimestamps() {
        FailedEvent event = only(record(jws(claims(TOE_SECONDS))));

        assertEquals(ID, event.eventId().orElseThrow());
        assertEquals(OptionalInt.of(6), event.attempts());
        assertEquals(ENDPOINT, event.endpoint().orElseThrow());
        assertEquals("failure", event.state().orElseThrow());
        assertEquals(Instant.parse("2020-01-27T16:53:50.815936Z"), event.createdAt().orElseThrow());
        assertEquals(Instant.parse("2020-01-27T17:03:51Z"), event.updatedAt().orElseThrow());
    }

    @Test
    void recordLineClaimsAreDecodedFromTheMiddleOfTheJws() throws Exception {
        String claims = claims(TOE_SECONDS);
        FailedEvent event = only(record(jws(claims)));

        assertEquals(MAPPER.readValue(claims, new TypeReference<Map<String, Object>>() { }), event.claims());
        assertEquals(JTI, event.claims().get("jti"));
    }

    @Test
    void recordLineEventTypesAndSubjectComeFromTheClaims() {
        FailedEvent event = only(record(jws(claims(TOE_SECONDS))));

        assertEquals(List.of("entityUpdated"), event.eventTypes());
        assertEquals(SUB, event.subject().orElseThrow());
    }

    @Test
    void occurredAtReadsToeInSecondsAndInMillisecondsAsTheSameInstant() {
        FailedEvent seconds = only(record(jws(claims(TOE_SECONDS))));
        FailedEvent millis = only(record(jws(claims(TOE_SECONDS * 1000))));

        assertEquals(Instant.ofEpochSecond(TOE_SECONDS), seconds.occurredAt().orElseThrow());
        assertEquals(seconds.occurredAt(), millis.occurredAt());
    }

    @Test
    void issuedAtIsTheIatClaimInSeconds() {
        FailedEvent event = only(record(jws(claims(TOE_SECONDS))));

        assertEquals(Instant.ofEpochSecond(IAT), event.issuedAt().orElseThrow());
    }

    @Test
    void jwsIsThePayloadOfTheRequest() {
        String jws = jws(claims(TOE_SECONDS));

        assertEquals(jws, only(record(jws)).jws().orElseThrow());
    }

    @Test
    void jwsWrittenWithJsonEscapesIsReadAsTheUnescapedString() {
        String jws = jws(claims(TOE_SECONDS));
        String escaped = "\\u0065" + jws.substring(1).replace(".", "\\u002e");

        FailedEvent event = only(record(escaped));

        assertEquals("e" + jws.substring(1), event.jws().orElseThrow());
        assertEquals(List.of("entityUpdated"), event.eventTypes());
    }

    @Test
    void jwsIsFoundWhereverThePayloadStandsInTheRequestAndWhateverTheSpacing() {
        String jws = jws(claims(TOE_SECONDS));
        String first = "{\"id\":\"a\",\"request\":{ \"payload\" :  \"" + jws + "\"  ,\t\"endpoint\":\"e\"}}";
        String last = "{\"request\":{\"endpoint\":\"e\",\"payload\":\"" + jws + "\" \r\t}, \"id\":\"b\"}";
        String twice = "{\"request\":{\"payload\":\"x.y.z\",\"payload\":\"" + jws + "\"}}";

        for (String line : List.of(first, last, twice)) {
            FailedEvent event = only(line);
            assertEquals(jws, event.jws().orElseThrow(), line);
            assertEquals(Optional.of(SUB), event.subject(), line);
        }
    }

    @Test
    void rawJsonIsTheLineExactlyIncludingNonAsciiCharacters() {
        String line = record(jws(claims(TOE_SECONDS))).replace("\"state\"", "\"note\":\"Grüße, 東京 ✓ 😀\",\"state\"");

        FailedEvent event = only(line);

        assertEquals(line, event.rawJson());
        assertTrue(event.rawJson().contains("😀"));
    }

    @Test
    void lineNumberAndByteOffsetLocateTheLineInBytes() {
        String first = "{\"id\":\"ä😀\"}";
        String second = record(jws(claims(TOE_SECONDS)));
        String ndjson = first + "\r\n\n" + second + "\n";

        List<FailedEvent> events = readAll(ndjson);

        assertEquals(2, events.size());
        assertEquals(3L, events.get(1).lineNumber());
        assertEquals(first.getBytes(UTF_8).length + 3L, events.get(1).byteOffset());
        assertEquals(ID, events.get(1).eventId().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-01-27T16:53:50Z", "2020-01-27T16:53:50.8Z", "2020-01-27T16:53:50.815Z",
            "2020-01-27T16:53:50.815936Z", "2020-01-27T16:53:50.815936123Z", "2020-01-27T17:53:50.815936+01:00"})
    void createdAtAcceptsZeroToNineFractionDigits(String timestamp) {
        FailedEvent event = only("{\"id\":\"a\",\"createdAt\":\"" + timestamp + "\"}");

        Instant instant = event.createdAt().orElseThrow();
        assertEquals(Instant.parse("2020-01-27T16:53:50Z"), instant.truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @Test
    void createdAtWithoutAnOffsetIsReadAsUtcLikeTheTimestampsOfApiBodies() {
        FailedEvent event = only("{\"id\":\"a\",\"createdAt\":\"2020-01-27T16:53:50.5\",\"updatedAt\":\"2020-02-30T00:00:00Z\"}");

        assertEquals(Instant.parse("2020-01-27T16:53:50.5Z"), event.createdAt().orElseThrow());
        assertTrue(event.updatedAt().isEmpty(), "February 30th is no date");
    }

    // ---------------------------------------------------------------- shape (b): the claims themselves

    @Test
    void claimsLineUsesJtiAsIdAudAsEndpointAndItsMembersAsClaims() throws Exception {
        String line = claims(TOE_SECONDS);

        FailedEvent event = only(line);

        assertEquals(JTI, event.eventId().orElseThrow());
        assertEquals(ENDPOINT, event.endpoint().orElseThrow());
        assertEquals(List.of("entityUpdated"), event.eventTypes());
        assertEquals(SUB, event.subject().orElseThrow());
        assertEquals(MAPPER.readValue(line, new TypeReference<Map<String, Object>>() { }), event.claims());
        assertEquals(Instant.ofEpochSecond(TOE_SECONDS), event.occurredAt().orElseThrow());
        assertTrue(event.jws().isEmpty());
    }

    // ---------------------------------------------------------------- lazy, failing claims

    @ParameterizedTest
    @ValueSource(strings = {"not-a-jws", "a.b", "a.b.c.d", "eyJhbGciOiJSUzI1NiJ9.!!!notbase64!!!.c2ln",
            "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"})
    void payloadThatIsNotABase64UrlJsonJwsMakesClaimsThrowNamingTheLine(String payload) {
        String ndjson = claims(TOE_SECONDS) + "\n" + record(payload) + "\n";
        List<FailedEvent> events = readAll(ndjson);
        FailedEvent event = events.get(1);

        MalformedEventException error = assertThrows(MalformedEventException.class, event::claims);

        assertEquals(2L, error.lineNumber());
        assertEquals(claims(TOE_SECONDS).length() + 1L, error.byteOffset());
        assertTrue(error.getMessage().contains("line 2"), error.getMessage());
        assertThrows(MalformedEventException.class, event::eventTypes);
    }

    @Test
    void iteratingAFileWithBadPayloadsSucceedsBecauseClaimsAreDecodedLazily() {
        String ndjson = record("not-a-jws") + "\n" + record("x.%%%.y") + "\n" + record(jws(claims(TOE_SECONDS)));

        List<FailedEvent> events = readAll(ndjson);

        assertEquals(3, events.size());
        assertEquals(ID, events.get(1).eventId().orElseThrow());
        assertEquals("x.%%%.y", events.get(1).jws().orElseThrow());
        assertEquals(ENDPOINT, events.get(1).endpoint().orElseThrow());
    }

    @Test
    void unknownMembersAndUnknownValuesAreIgnored() {
        String line = "{\"future\":{\"nested\":[1,2,{\"id\":\"inner\"}]},\"id\":\"a\",\"flags\":[true,null],"
                + "\"state\":\"some-new-state\",\"request\":{\"retryAfter\":3.5,\"endpoint\":\"" + ENDPOINT
                + "\",\"headers\":{\"X\":[\"y\"]}},\"score\":-1.5e300,\"attempts\":2}";

        FailedEvent event = only(line);

        assertEquals("a", event.eventId().orElseThrow());
        assertEquals("some-new-state", event.state().orElseThrow());
        assertEquals(ENDPOINT, event.endpoint().orElseThrow());
        assertEquals(OptionalInt.of(2), event.attempts());
    }

    @Test
    void attemptsTooLargeForAnIntDoesNotMakeTheLineMalformed() {
        FailedEvent event = only("{\"id\":\"a\",\"attempts\":3000000000,\"state\":\"failure\"}");

        assertEquals("a", event.eventId().orElseThrow());
        assertEquals("failure", event.state().orElseThrow());
    }

    @Test
    void attemptsIsEmptyWhenAbsent() {
        FailedEvent event = only("{\"id\":\"a\",\"state\":\"failure\"}");

        assertEquals(OptionalInt.empty(), event.attempts());
        assertTrue(event.createdAt().isEmpty());
        assertTrue(event.endpoint().isEmpty());
    }

    // ---------------------------------------------------------------- immutability

    @Test
    @SuppressWarnings("unchecked")
    void nestedClaimsCannotBeChangedSoEveryCallerSeesTheEventAsRead() {
        FailedEvent event = only(record(jws(claims(TOE_SECONDS))));
        Map<String, Object> events = (Map<String, Object>) event.claims().get("events");
        Map<String, Object> updated = (Map<String, Object>) events.get("entityUpdated");
        List<Object> attributes = (List<Object>) updated.get("attributes");

        assertThrows(UnsupportedOperationException.class, () -> events.put("entityDeleted", Map.of()));
        assertThrows(UnsupportedOperationException.class, () -> updated.remove("sub"));
        assertThrows(UnsupportedOperationException.class, () -> attributes.set(0, "password"));
        assertThrows(UnsupportedOperationException.class, events::clear);

        assertEquals(List.of("entityUpdated"), event.eventTypes());
        assertEquals(SUB, event.subject().orElseThrow());
        assertEquals(List.of("givenName", "email"), attributes);
    }

    // ---------------------------------------------------------------- NumericDate claims

    @ParameterizedTest
    @CsvSource({"1e17, -1e17", "-1e17, 1e23", "100000000000000000000, 100000000000000000000000",
            "-9223372036854775809, -9223372036854775809", "1e400, -1e400"})
    void timesOutsideTheRangeOfInstantAreEmptyAndStayReadableInTheClaims(String iat, String toe) {
        FailedEvent event = only("{\"jti\":\"" + JTI + "\",\"iat\":" + iat + ",\"toe\":" + toe + "}");

        assertEquals(Optional.empty(), event.issuedAt());
        assertEquals(Optional.empty(), event.occurredAt());
        assertInstanceOf(Number.class, event.claims().get("iat"));
        assertInstanceOf(Number.class, event.claims().get("toe"));
    }

    @Test
    void timesAreReadExactlyWithTheirFractionOverTheWholeRangeOfInstant() {
        FailedEvent fractions = only("{\"jti\":\"" + JTI + "\",\"iat\":1563488631.25,\"toe\":1559372400123.5}");
        long max = Instant.MAX.getEpochSecond();
        long min = Instant.MIN.getEpochSecond();
        FailedEvent edges = only("{\"jti\":\"" + JTI + "\",\"iat\":" + max + ",\"toe\":" + min + "}");

        assertEquals(Instant.ofEpochSecond(1563488631L, 250_000_000), fractions.issuedAt().orElseThrow());
        assertEquals(Instant.ofEpochSecond(1559372400L, 123_500_000), fractions.occurredAt().orElseThrow());
        assertEquals(Instant.ofEpochSecond(max), edges.issuedAt().orElseThrow());
        assertEquals(Instant.MIN, edges.occurredAt().orElseThrow());
    }

    // ---------------------------------------------------------------- helpers

    private static String claims(long toe) {
        return "{\"iss\":\"https://issuer.example.com\",\"iat\":" + IAT + ",\"jti\":\"" + JTI + "\",\"aud\":\""
                + ENDPOINT + "\",\"txn\":\"txn-1\",\"toe\":" + toe + ",\"events\":{\"entityUpdated\":{"
                + "\"captureApplicationId\":\"app\",\"captureClientId\":\"client\",\"entityType\":\"user\","
                + "\"globalSub\":\"capture-v1://example/" + SUB + "\",\"sub\":\"" + SUB + "\",\"id\":42,"
                + "\"attributes\":[\"givenName\",\"email\"]}}}";
    }

    private static String jws(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        byte[] signature = new byte[256];
        new Random(7).nextBytes(signature);
        String header = "{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\",\"kid\":\"key-1\"}";
        return b64.encodeToString(header.getBytes(UTF_8)) + "." + b64.encodeToString(claims.getBytes(UTF_8)) + "."
                + b64.encodeToString(signature);
    }

    private static String record(String payload) {
        return "{\"id\":\"" + ID + "\",\"createdAt\":\"2020-01-27T16:53:50.815936Z\","
                + "\"updatedAt\":\"2020-01-27T17:03:51Z\",\"state\":\"failure\",\"attempts\":6,"
                + "\"request\":{\"endpoint\":\"" + ENDPOINT + "\",\"headers\":{\"Content-Type\":"
                + "\"application/secevent+jwt\"},\"payload\":\"" + payload + "\"}}";
    }

    private static FailedEvent only(String line) {
        List<FailedEvent> events = readAll(line + "\n");
        assertEquals(1, events.size());
        assertEquals(1L, events.get(0).lineNumber());
        return events.get(0);
    }
}
