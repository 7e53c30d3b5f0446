package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.ListenerDelivery;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.testkit.FakeListener;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Export → download → redeliver every failed event's Security Event Token to your listener, 64 at
 * a time, as the service delivered it (RFC 8935 push). The listener is {@code WEBHOOKS_LISTENER_URL}
 * (with {@code WEBHOOKS_LISTENER_AUTHORIZATION} as its {@code Authorization} header, if set), or
 * else an embedded {@link FakeListener} answering in 20 ms. Against the real API it redelivers the
 * export {@code WEBHOOKS_EXPORT_ID} and never starts one. The work directory is
 * {@code WEBHOOKS_WORK_DIR} (default: a new temporary directory); re-run with the same one after a
 * crash to continue.
 */
public final class RedeliverToListener {

    private static final int CONCURRENCY = 64;

    private RedeliverToListener() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws IOException if the work directory cannot be created
     */
    public static void main(String[] args) throws IOException {
        Path workDirectory = System.getenv("WEBHOOKS_WORK_DIR") != null
                ? Path.of(System.getenv("WEBHOOKS_WORK_DIR"))
                : Files.createTempDirectory("webhooks-redelivery-");
        String listenerUrl = System.getenv("WEBHOOKS_LISTENER_URL");
        try (Example example = Example.connect(20_000);
             FakeListener fake = listenerUrl == null
                     ? FakeListener.builder().latency(Duration.ofMillis(20)).start() : null) {
            String exportId = Example.exportIdFromEnvironment();
            if (!example.isEmulated() && exportId == null) {
                System.err.println("Against the real API this example redelivers an existing export only: set "
                        + "WEBHOOKS_EXPORT_ID (a completed export of the subscription) and run it again.");
                System.exit(2);
            }
            URI listener = fake != null ? fake.uri() : URI.create(listenerUrl);
            System.out.println("Redelivering to " + (fake != null ? "an embedded FakeListener (20 ms) at " : "")
                    + listener.getScheme() + "://" + listener.getAuthority() + listener.getPath());
            RecoveryRequest request = exportId != null
                    ? RecoveryRequest.ofExport(example.subscriptionId, exportId, workDirectory)
                    : RecoveryRequest.of(example.subscriptionId, workDirectory);
            // readme:listener:begin
            ListenerDelivery.Builder delivery = ListenerDelivery.to(listener);
            String authorization = System.getenv("WEBHOOKS_LISTENER_AUTHORIZATION");
            if (authorization != null) {
                delivery.header("Authorization", authorization);   // the listener's own; never logged
            }
            RecoveryResult result = example.client.recoverFailedEvents(
                    request.withConcurrency(CONCURRENCY)            // up to 64 events in flight
                            .withDeadLettersAfter(3),               // refusals (400 …) go at once
                    delivery.build());
            // readme:listener:end
            Path deadLetters = workDirectory.resolve("dead-letters-" + result.exportId().orElse("none") + ".ndjson");
            System.out.printf("Delivered %,d events of export %s in %.1f s (%,.0f/s, export and download included); dead-lettered %,d%s%n",
                    result.eventsHandled(), result.exportId().orElse("<none: nothing to export>"),
                    result.elapsed().toMillis() / 1000.0,
                    result.eventsHandledThisRun() / Math.max(0.001, result.elapsed().toMillis() / 1000.0),
                    result.deadLettered(), result.deadLettered() > 0 ? " (see " + deadLetters + ")" : "");
            System.out.printf("After a crash, re-run with WEBHOOKS_WORK_DIR=%s: at most %d events may be delivered "
                    + "twice (the ones in flight); listeners deduplicate by jti.%n", workDirectory, CONCURRENCY);
            if (fake != null) {
                System.out.printf("The FakeListener accepted %,d, of which %,d more than once.%n",
                        fake.journal().accepted().size(), fake.journal().duplicates().size());
            }
        }
    }
}
