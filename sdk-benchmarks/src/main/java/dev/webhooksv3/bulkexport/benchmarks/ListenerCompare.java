package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.ListenerDelivery;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.testkit.FakeListener;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Redelivers a recovered export to a {@link FakeListener} that answers in 20 ms, with
 * {@link ListenerDelivery}, one event at a time and then 64 at a time, in one JVM (embedded
 * emulator and listener): the redelivery row of {@code compare.sh}. One event at a time takes 20 ms
 * an event (33 minutes for 100,000), so that side recovers a smaller export of its own. Each rate
 * counts from the first event handed over to the end of the recovery, so the export and download
 * before it are left out. Fails unless the listener accepted every exported event exactly once.
 * Prints the sequential events/s, the concurrent events/s, and the events of each side.
 *
 * <pre>
 * java -Xmx128m -cp sdk-benchmarks/target/benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.ListenerCompare \
 *     --events 100000 --sequential-events 2000 --latency-ms 20 --concurrency 64
 * </pre>
 */
public final class ListenerCompare {

    private ListenerCompare() {
    }

    /**
     * Runs both sides.
     *
     * @param args {@code --events} (default 100,000), {@code --sequential-events} (default 2,000),
     *     {@code --latency-ms} (default 20), {@code --concurrency} (default 64)
     * @throws Exception if a recovery fails or an event was lost or sent twice
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = CompareOptions.parse(args);
        long events = Long.parseLong(options.getOrDefault("--events", "100000"));
        long sequentialEvents = Long.parseLong(options.getOrDefault("--sequential-events", "2000"));
        Duration latency = Duration.ofMillis(Long.parseLong(options.getOrDefault("--latency-ms", "20")));
        int concurrency = Integer.parseInt(options.getOrDefault("--concurrency", "64"));

        double sequential = eventsPerSecond(sequentialEvents, 1, latency);
        double concurrent = eventsPerSecond(events, concurrency, latency);
        System.out.println(String.format(Locale.ROOT, "%.1f %.1f %d %d", sequential, concurrent, sequentialEvents,
                events));
    }

    private static double eventsPerSecond(long events, int concurrency, Duration latency) throws IOException {
        Path work = Files.createTempDirectory("listener-compare-");
        try (WebhooksEmulator emulator = WebhooksEmulator.builder().failedEvents(events).jobDuration(Duration.ZERO)
                .start();
             FakeListener listener = FakeListener.builder().latency(latency).start()) {
            ListenerDelivery delivery = ListenerDelivery.to(listener.uri()).build();
            AtomicLong firstCall = new AtomicLong();
            EventHandler timed = (FailedEvent event) -> {
                firstCall.compareAndSet(0, System.nanoTime());
                delivery.handle(event);
            };
            RecoveryResult result = emulator.clientBuilder().build().recoverFailedEvents(
                    RecoveryRequest.of(emulator.subscriptionId(), work).withConcurrency(concurrency)
                            .withDeadLettersAfter(3), timed);
            double seconds = (System.nanoTime() - firstCall.get()) / 1e9;
            long accepted = listener.journal().accepted().size();
            if (result.eventsHandledThisRun() != events || accepted != events
                    || !listener.journal().duplicates().isEmpty()) {
                throw new IllegalStateException("at concurrency " + concurrency + " the recovery handled "
                        + result.eventsHandledThisRun() + " and the listener accepted " + accepted + " of " + events
                        + " events, " + listener.journal().duplicates().size() + " more than once; dead-lettered "
                        + result.deadLettered());
            }
            System.err.printf(Locale.ROOT, "concurrency %d: %d events in %.1f s, at most %d in flight%n", concurrency,
                    events, seconds, listener.journal().inFlightMax());
            return events / seconds;
        } finally {
            deleteTree(work);
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + path, e);
                }
            });
        }
    }
}
