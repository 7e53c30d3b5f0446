package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The journal as a test reads it, filled by real deliveries to a {@link FakeListener}. */
class ListenerJournalTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void listsAcceptedJtisInOrderWithRepeatsAndNamesEachDuplicateOnce() throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            for (String jti : List.of("a", "b", "a", "c", "b", "a")) {
                assertEquals(202, deliveries.deliver(jti).statusCode());
            }

            assertEquals(List.of("a", "b", "a", "c", "b", "a"), listener.journal().accepted());
            assertEquals(List.of("a", "b"), List.copyOf(listener.journal().duplicates()));
            assertEquals(6, listener.journal().received());
        }
    }

    @Test
    void awaitAcceptedWaitsForDeliveriesStillOnTheirWay() throws Exception {
        try (FakeListener listener = FakeListener.builder().start()) {
            Deliveries deliveries = new Deliveries(listener);
            listener.pause();
            CompletableFuture<HttpResponse<String>> first = deliveries.deliverAsync("a");
            CompletableFuture<HttpResponse<String>> second = deliveries.deliverAsync("b");
            listener.journal().awaitInFlight(2, WAIT);
            assertEquals(List.of(), listener.journal().accepted(), "held deliveries are not accepted yet");

            listener.resume();
            List<String> accepted = listener.journal().awaitAccepted(2, WAIT);

            assertEquals(Set.of("a", "b"), Set.copyOf(accepted));
            assertEquals(202, first.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
            assertEquals(202, second.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void awaitAcceptedFailsWithTheJournalWhenTooFewArrive() throws Exception {
        try (FakeListener listener = FakeListener.builder().failFirst(1, 503).start()) {
            assertEquals(503, new Deliveries(listener).deliver("a").statusCode());

            AssertionError e = assertThrows(AssertionError.class,
                    () -> listener.journal().awaitAccepted(1, Duration.ofMillis(50)));

            assertTrue(e.getMessage().contains("1 accepted deliveries"), e.getMessage());
            assertTrue(e.getMessage().contains("received 1, accepted 0"), e.getMessage());
            assertTrue(e.getMessage().contains("{503=1}"), e.getMessage());
        }
    }

    @Test
    void awaitInFlightFailsWhenFewerRequestsAreHeld() {
        try (FakeListener listener = FakeListener.builder().start()) {
            AssertionError e = assertThrows(AssertionError.class,
                    () -> listener.journal().awaitInFlight(1, Duration.ofMillis(50)));

            assertTrue(e.getMessage().contains("1 requests in flight"), e.getMessage());
        }
    }

    @Test
    void countsRefusedAndInvalidRequestsAsReceivedButNotAccepted() throws Exception {
        try (FakeListener listener = FakeListener.builder().script(ListenerAnswer.reject("access_denied")).start()) {
            Deliveries deliveries = new Deliveries(listener);
            deliveries.deliver("a");
            deliveries.send(deliveries.request("not-a-jws").build());
            deliveries.deliver("b");

            assertEquals(3, listener.journal().received());
            assertEquals(List.of("b"), listener.journal().accepted());
            assertEquals(2L, listener.journal().statusCounts().get(400));
            assertEquals(1L, listener.journal().statusCounts().get(202));
        }
    }
}
