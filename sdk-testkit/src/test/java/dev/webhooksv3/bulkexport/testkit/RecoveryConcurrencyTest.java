package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code RecoveryRequest.withConcurrency}: events in flight at once, acknowledged exactly once, crashes included. */
@Timeout(60)
class RecoveryConcurrencyTest {

    private static final int EVENTS = 600;

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension
            .configured(builder -> builder.failedEvents(EVENTS).jobDuration(Duration.ofMillis(100)))
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

    private RecoveryRequest request(int concurrency) {
        return RecoveryRequest.of(emulator.subscriptionId(), work).withConcurrency(concurrency)
                .withAwait(AwaitOptions.defaults().withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100))
                        .withDeadline(Duration.ofSeconds(30)));
    }

    private Set<String> allIds() {
        Set<String> ids = new HashSet<>();
        LongStream.range(0, EVENTS).mapToObj(emulator::eventId).forEach(ids::add);
        return ids;
    }

    /** Counts the events with the handler at once; the first {@code gate} calls wait until that many are in. */
    private static final class Tracking implements EventHandler {
        final List<String> acknowledged = new CopyOnWriteArrayList<>();
        final List<String> seen = new CopyOnWriteArrayList<>();
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();
        final AtomicInteger calls = new AtomicInteger();
        final CountDownLatch gate;
        final int failOnCall;

        Tracking(int gate, int failOnCall) {
            this.gate = new CountDownLatch(gate);
            this.failOnCall = failOnCall;
        }

        @Override
        public void handle(FailedEvent event) throws Exception {
            int now = inFlight.incrementAndGet();
            maxInFlight.accumulateAndGet(now, Math::max);
            try {
                seen.add(event.eventId().orElseThrow());
                int call = calls.incrementAndGet();
                gate.countDown();
                // Proves the concurrency: the first calls return only once `gate` of them are in at once.
                assertTrue(gate.await(20, TimeUnit.SECONDS), "the events did not come concurrently");
                if (call == failOnCall) {
                    throw new IOException("listener is down (injected at call " + call + ")");
                }
                acknowledged.add(event.eventId().orElseThrow());
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 8, 64})
    void handsEveryEventOverOnceWithUpToNAtATime(int n) {
        Tracking handler = new Tracking(n, -1);

        RecoveryResult result = client.recoverFailedEvents(request(n), handler);

        assertEquals(EVENTS, result.eventsHandled());
        assertEquals(EVENTS, handler.seen.size(), "no event twice");
        assertEquals(allIds(), new HashSet<>(handler.seen));
        assertTrue(handler.maxInFlight.get() <= n, "at most " + n + " at once: " + handler.maxInFlight.get());
        assertEquals(n, handler.maxInFlight.get(), "the gate let through only once " + n + " were in at once");
    }

    @Test
    void aFailureInFlightLosesNothingAndRepeatsOnlyWhatWasWithTheHandler() {
        int n = 16;
        Tracking first = new Tracking(n, 250);
        assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(request(n), first));
        assertTrue(first.acknowledged.size() >= 200, "events were acknowledged before the failure");

        Tracking second = new Tracking(1, -1);
        RecoveryResult result = client.recoverFailedEvents(request(n), second);

        Set<String> repeated = new HashSet<>(first.acknowledged);
        repeated.retainAll(second.seen);
        assertEquals(Set.of(), repeated, "an acknowledged event is never handed over again");
        Set<String> all = new HashSet<>(first.acknowledged);
        all.addAll(second.seen);
        assertEquals(allIds(), all, "every event acknowledged by one of the runs");
        List<String> notAcknowledged = new ArrayList<>(first.seen);
        notAcknowledged.removeAll(first.acknowledged);
        assertTrue(notAcknowledged.size() <= n, "at most the events in flight were not acknowledged: "
                + notAcknowledged.size());
        assertEquals(EVENTS, result.eventsHandled());
        assertTrue(result.resumed());
    }

    @Test
    void aRunWithoutConcurrencyHonoursTheEventsAConcurrentRunAcknowledgedOutOfOrder() {
        Tracking first = new Tracking(32, 100);
        assertThrows(BulkExportException.class, () -> client.recoverFailedEvents(request(32), first));
        String checkpoint;
        try (var files = java.nio.file.Files.list(work)) {
            checkpoint = java.nio.file.Files.readString(files.filter(f -> f.toString().endsWith(".checkpoint"))
                    .findFirst().orElseThrow());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        assertTrue(checkpoint.matches("(?s).*\"acknowledgedAbove\":\"[0-9a-f]{16,}\".*"),
                "events after the failed one were acknowledged out of order: " + checkpoint);

        List<String> second = new CopyOnWriteArrayList<>();
        client.recoverFailedEvents(request(1), event -> second.add(event.eventId().orElseThrow()));

        Set<String> repeated = new HashSet<>(first.acknowledged);
        repeated.retainAll(second);
        assertEquals(Set.of(), repeated);
        Set<String> all = new HashSet<>(first.acknowledged);
        all.addAll(second);
        assertEquals(allIds(), all);
    }

    @Test
    void anOrderingKeyKeepsOneKeysEventsInFileOrderAndOneAtATime() {
        Map<Object, AtomicInteger> busy = new ConcurrentHashMap<>();
        Map<Object, List<Long>> lines = new ConcurrentHashMap<>();
        AtomicInteger overlaps = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxInFlight = new AtomicInteger();

        client.recoverFailedEvents(request(8).withOrderingKey(event -> event.lineNumber() % 5), event -> {
            Object key = event.lineNumber() % 5;
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            if (busy.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet() > 1) {
                overlaps.incrementAndGet();
            }
            lines.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(event.lineNumber());
            Thread.onSpinWait();
            busy.get(key).decrementAndGet();
            inFlight.decrementAndGet();
        });

        assertEquals(0, overlaps.get(), "two events of one key were with the handler at once");
        Map<Object, List<Long>> sorted = new HashMap<>();
        lines.forEach((key, list) -> sorted.put(key, list.stream().sorted().toList()));
        assertEquals(sorted, lines, "each key's events came in file order");
        assertEquals(EVENTS, lines.values().stream().mapToInt(List::size).sum());
        assertTrue(maxInFlight.get() <= 5, "never more than one per key: " + maxInFlight.get());
    }
}
