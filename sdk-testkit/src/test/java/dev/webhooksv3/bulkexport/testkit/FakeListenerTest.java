package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fake listener over real loopback HTTP, as a user's redelivery pipeline meets it. */
class FakeListenerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static FakeListener start(Consumer<FakeListener.Builder> configuration) {
        FakeListener.Builder builder = FakeListener.builder();
        configuration.accept(builder);
        return builder.start();
    }

    @Test
    void acceptsAValidDeliveryWith202AndJournalsItsJti() throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            HttpResponse<String> response = new Deliveries(listener).deliver("jti-1");

            assertEquals(202, response.statusCode());
            assertEquals("", response.body());
            assertEquals(List.of("jti-1"), listener.journal().accepted());
            assertEquals(1, listener.journal().received());
            assertEquals(Map.of(202, 1L), listener.journal().statusCounts());
            assertTrue(listener.uri().toString().matches("http://127\\.0\\.0\\.1:\\d+/events"), listener.uri().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {200, 204})
    void acceptsWithTheConfiguredSuccessStatus(int status) throws Exception {
        try (FakeListener listener = start(b -> b.successStatus(status))) {
            assertEquals(status, new Deliveries(listener).deliver("jti-1").statusCode());
            assertEquals(List.of("jti-1"), listener.journal().accepted());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"invalid_request", "invalid_key", "authentication_failed", "access_denied"})
    void rejectsWith400AndTheRfc8935ErrorBody(String err) throws Exception {
        try (FakeListener listener = start(b -> b.script(ListenerAnswer.reject(err)))) {
            HttpResponse<String> response = new Deliveries(listener).deliver("jti-1");

            assertEquals(400, response.statusCode());
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
            JsonNode body = JSON.readTree(response.body());
            assertEquals(err, body.path("err").asText());
            assertTrue(body.path("description").asText().contains("jti-1"), response.body());
            assertEquals(List.of(), listener.journal().accepted());
        }
    }

    @Test
    void answers429WithRetryAfterInWholeSecondsRoundedUp() throws Exception {
        try (FakeListener listener = start(b -> b.script(ListenerAnswer.tooManyRequests(Duration.ofMillis(1500))))) {
            HttpResponse<String> response = new Deliveries(listener).deliver("jti-1");

            assertEquals(429, response.statusCode());
            assertEquals("2", response.headers().firstValue("Retry-After").orElse(""));
        }
    }

    @Test
    void failFirstFailsTheFirstDeliveriesThenAcceptsTheRetry() throws Exception {
        try (FakeListener listener = start(b -> b.failFirst(2, 503))) {
            Deliveries deliveries = new Deliveries(listener);
            List<String> outcomes = List.of(deliveries.outcome("a"), deliveries.outcome("a"), deliveries.outcome("a"));

            assertEquals(List.of("503", "503", "202"), outcomes);
            assertEquals(List.of("a"), listener.journal().accepted());
            assertEquals(Set.of(), listener.journal().duplicates());
            assertEquals(Map.of(202, 1L, 503, 2L), listener.journal().statusCounts());
        }
    }

    @Test
    void scriptAnswersEachDeliveryInTurnThenAccepts() throws Exception {
        try (FakeListener listener = start(b -> b.script(ListenerAnswer.unavailable(), ListenerAnswer.accept(),
                ListenerAnswer.status(502), ListenerAnswer.status(400)))) {
            Deliveries deliveries = new Deliveries(listener);
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                outcomes.add(deliveries.outcome("e" + i));
            }

            assertEquals(List.of("503", "202", "502", "400", "202"), outcomes);
            assertEquals(List.of("e1", "e4"), listener.journal().accepted());
        }
    }

    @Test
    void resetDropsTheConnectionSoTheClientGetsAnIOExceptionAndNothingIsAccepted() throws Exception {
        try (FakeListener listener = start(b -> b.script(ListenerAnswer.reset()))) {
            Deliveries deliveries = new Deliveries(listener);

            assertThrows(IOException.class, () -> deliveries.deliver("a"));
            assertEquals(List.of(), listener.journal().accepted());
            assertEquals(1, listener.journal().resets());
            assertEquals(Map.of(), listener.journal().statusCounts());
            assertEquals(202, deliveries.deliver("a").statusCode(), "the retry is accepted");
            assertEquals(List.of("a"), listener.journal().accepted());
        }
    }

    @Test
    void acceptThenResetTakesTheEventSoTheRetryShowsAsADuplicate() throws Exception {
        try (FakeListener listener = start(b -> b.script(ListenerAnswer.accept(), ListenerAnswer.acceptThenReset()))) {
            Deliveries deliveries = new Deliveries(listener);
            assertEquals(202, deliveries.deliver("a").statusCode());

            assertThrows(IOException.class, () -> deliveries.deliver("b"));
            assertEquals(202, deliveries.deliver("b").statusCode());

            assertEquals(List.of("a", "b", "b"), listener.journal().accepted());
            assertEquals(Set.of("b"), listener.journal().duplicates());
            assertEquals(1, listener.journal().resets());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "PUT", "DELETE"})
    void refusesOtherMethodsWith405(String method) throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            HttpResponse<String> response = deliveries.send(HttpRequest.newBuilder(listener.uri())
                    .method(method, HttpRequest.BodyPublishers.ofString(Deliveries.jws("a")))
                    .header("Content-Type", "application/secevent+jwt").build());

            assertEquals(405, response.statusCode());
            assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
            assertEquals(List.of(), listener.journal().accepted());
        }
    }

    @Test
    void answers404ToAnotherPath() throws Exception {
        try (FakeListener listener = start(b -> b.path("/hook"))) {
            URI other = listener.uri().resolve("/events");
            HttpResponse<String> response = new Deliveries(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build(), other).deliver("a");

            assertEquals(404, response.statusCode());
            assertTrue(listener.uri().toString().endsWith("/hook"), listener.uri().toString());
            assertEquals(202, new Deliveries(listener).deliver("a").statusCode());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "application/jwt", "text/plain"})
    void refusesAnotherMediaTypeWith400InvalidRequest(String contentType) throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            HttpResponse<String> response = deliveries.send(deliveries.request(Deliveries.jws("a"))
                    .setHeader("Content-Type", contentType).build());

            assertEquals(400, response.statusCode());
            assertEquals("invalid_request", JSON.readTree(response.body()).path("err").asText());
            assertTrue(response.body().contains(contentType), response.body());
        }
    }

    @Test
    void acceptsTheMediaTypeInAnyCaseAndWithParameters() throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            HttpResponse<String> response = deliveries.send(deliveries.request(Deliveries.jws("a"))
                    .setHeader("Content-Type", "Application/SecEvent+JWT; charset=utf-8").build());

            assertEquals(202, response.statusCode());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "onlyone", "two.parts", "a.b.c.d", "eyJhbGciOiJub25lIn0.e30.", "%%%.e30.c2ln",
        "eyJhbGciOiJub25lIn0=.eyJqdGkiOiJhIn0.c2ln", "bm90IGpzb24.eyJqdGkiOiJhIn0.c2ln",
        "eyJhbGciOiJub25lIn0.e30.c2ln", "eyJhbGciOiJub25lIn0.eyJqdGkiOjd9.c2ln", "eyJhbGciOiJub25lIn0.WyJhIl0.c2ln"})
    void refusesABodyThatIsNotACompactJwsWithAJtiWith400InvalidRequest(String body) throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            HttpResponse<String> response = deliveries.send(deliveries.request(body).build());

            assertEquals(400, response.statusCode(), response.body());
            assertEquals("invalid_request", JSON.readTree(response.body()).path("err").asText());
            assertEquals(List.of(), listener.journal().accepted());
        }
    }

    @Test
    void answers401WithoutTheRequiredHeaderAndNeverShowsItsValue() throws Exception {
        try (FakeListener listener = start(b -> b.requireHeader("Authorization", "Bearer listener-secret"))) {
            Deliveries deliveries = new Deliveries(listener);
            HttpResponse<String> missing = deliveries.deliver("a");
            HttpResponse<String> wrong = deliveries.send(deliveries.request(Deliveries.jws("a"))
                    .header("Authorization", "Bearer guess").build());
            HttpResponse<String> right = deliveries.send(deliveries.request(Deliveries.jws("a"))
                    .header("Authorization", "Bearer listener-secret").build());

            assertEquals(401, missing.statusCode());
            assertEquals(401, wrong.statusCode());
            assertEquals("authentication_failed", JSON.readTree(wrong.body()).path("err").asText());
            assertEquals("Bearer", wrong.headers().firstValue("WWW-Authenticate").orElse(""));
            assertFalse(missing.body().contains("listener-secret") || wrong.body().contains("listener-secret"));
            assertEquals(202, right.statusCode());
            assertEquals(List.of("a"), listener.journal().accepted());
        }
    }

    @Test
    void delaysEachAnswerByAtLeastTheLatency() throws Exception {
        Duration latency = Duration.ofMillis(150);
        try (FakeListener listener = start(b -> b.latency(latency))) {
            long start = System.nanoTime();
            assertEquals(202, new Deliveries(listener).deliver("a").statusCode());

            assertTrue(System.nanoTime() - start >= latency.toNanos(), "answered before the latency had passed");
        }
    }

    @Test
    void delaysEachAnswerByAtLeastTheLowerBoundOfARange() throws Exception {
        Duration min = Duration.ofMillis(60);
        try (FakeListener listener = start(b -> b.latency(min, Duration.ofMillis(120)).seed(3))) {
            Deliveries deliveries = new Deliveries(listener);
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                assertEquals(202, deliveries.deliver("e" + i).statusCode());
                assertTrue(System.nanoTime() - start >= min.toNanos(), "answered before the lower bound");
            }
        }
    }

    @Test
    void answers503OverTheConcurrencyLimitAndCountsIt() throws Exception {
        try (FakeListener listener = start(b -> b.maxConcurrency(3))) {
            Deliveries deliveries = new Deliveries(listener);
            listener.pause();
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                held.add(deliveries.deliverAsync("held-" + i));
            }
            listener.journal().awaitInFlight(3, WAIT);

            assertEquals(503, deliveries.deliver("over-1").statusCode());
            assertEquals(503, deliveries.deliver("over-2").statusCode());
            listener.resume();
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertEquals(202, f.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
            }
            assertEquals(2, listener.journal().overLimit());
            assertEquals(3, listener.journal().inFlightMax());
            assertEquals(Map.of(202, 3L, 503, 2L), listener.journal().statusCounts());
            assertEquals(Set.of("held-0", "held-1", "held-2"), Set.copyOf(listener.journal().accepted()));
        }
    }

    @Test
    void inFlightMaxIsTheMostRequestsServedAtOnce() throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            assertEquals(202, deliveries.deliver("alone").statusCode());
            assertEquals(1, listener.journal().inFlightMax());

            listener.pause();
            List<CompletableFuture<HttpResponse<String>>> held = new ArrayList<>();
            for (int i = 0; i < 12; i++) {
                held.add(deliveries.deliverAsync("e" + i));
            }
            listener.journal().awaitInFlight(12, WAIT);
            listener.resume();

            List<String> accepted = listener.journal().awaitAccepted(13, WAIT);
            assertEquals(12, listener.journal().inFlightMax());
            assertEquals(13, Set.copyOf(accepted).size());
            for (CompletableFuture<HttpResponse<String>> f : held) {
                assertEquals(202, f.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameSequenceOfAnswersAndAnotherSeedAnother() throws Exception {
        Consumer<FakeListener.Builder> mix = b -> b.mix(ListenerAnswer.unavailable(), 0.2)
                .mix(ListenerAnswer.reject("invalid_key"), 0.1)
                .mix(ListenerAnswer.tooManyRequests(Duration.ofSeconds(1)), 0.1)
                .mix(ListenerAnswer.reset(), 0.1);
        List<String> first = outcomes(b -> mix.accept(b.seed(42)));
        List<String> again = outcomes(b -> mix.accept(b.seed(42)));
        List<String> other = outcomes(b -> mix.accept(b.seed(43)));

        assertEquals(first, again);
        assertNotEquals(first, other);
        assertEquals(Set.of("202", "503", "400", "429", "reset"), Set.copyOf(first), "every answer of the mix occurs");
    }

    private static List<String> outcomes(Consumer<FakeListener.Builder> configuration) throws InterruptedException {
        try (FakeListener listener = start(configuration)) {
            Deliveries deliveries = new Deliveries(listener);
            List<String> outcomes = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                outcomes.add(deliveries.outcome("e" + i));
            }
            return outcomes;
        }
    }

    @Test
    void closeDropsHeldRequestsWithoutHanging() throws Exception {
        FakeListener listener = FakeListener.builder().start();
        listener.pause();
        CompletableFuture<HttpResponse<String>> held = new Deliveries(listener).deliverAsync("a");
        listener.journal().awaitInFlight(1, WAIT);

        listener.close();
        listener.close();

        ExecutionException failed = assertThrows(ExecutionException.class,
                () -> held.get(WAIT.toSeconds(), TimeUnit.SECONDS));
        assertTrue(failed.getCause() instanceof IOException, failed.toString());
    }

    @Test
    void servesHttpsThatItsClientSslContextTrusts() throws Exception {
        try (FakeListener listener = start(FakeListener.Builder::https)) {
            HttpClient client = HttpClient.newBuilder().sslContext(listener.clientSslContext())
                    .connectTimeout(Duration.ofSeconds(5)).build();
            HttpResponse<String> response = new Deliveries(client, listener.uri()).deliver("a");

            assertTrue(listener.uri().toString().startsWith("https://127.0.0.1:"), listener.uri().toString());
            assertEquals(202, response.statusCode());
        }
    }

    @Test
    void clientSslContextOfAPlainListenerSaysHowToGetOne() {
        try (FakeListener listener = FakeListener.builder().start()) {
            IllegalStateException e = assertThrows(IllegalStateException.class, listener::clientSslContext);
            assertTrue(e.getMessage().contains("https()"), e.getMessage());
        }
    }

    @Test
    void builderRefusesImpossibleSettingsNamingTheValue() {
        FakeListener.Builder builder = FakeListener.builder().mix(ListenerAnswer.unavailable(), 0.7);
        IllegalArgumentException mix = assertThrows(IllegalArgumentException.class,
                () -> builder.mix(ListenerAnswer.reset(), 0.4));
        IllegalArgumentException latency = assertThrows(IllegalArgumentException.class,
                () -> builder.latency(Duration.ofSeconds(2), Duration.ofSeconds(1)));
        IllegalArgumentException status = assertThrows(IllegalArgumentException.class,
                () -> builder.successStatus(201));

        assertTrue(mix.getMessage().contains("0.4"), mix.getMessage());
        assertTrue(latency.getMessage().contains("PT2S"), latency.getMessage());
        assertTrue(status.getMessage().contains("201"), status.getMessage());
        assertThrows(IllegalArgumentException.class, () -> builder.path("events"));
        assertThrows(IllegalArgumentException.class, () -> builder.failFirst(1, 302));
    }
}
