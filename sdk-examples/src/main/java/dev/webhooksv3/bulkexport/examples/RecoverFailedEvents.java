package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The whole disaster recovery in one call: export every failed event, download the file and hand
 * each event to a handler, with a checkpoint so that a re-run after a crash continues where it
 * stopped. The work directory is {@code WEBHOOKS_WORK_DIR} (default: a new temporary directory,
 * named in the output). Unlike the other examples, this one exists to start an export when no
 * earlier one is left to adopt: against the real API, that export takes the failed events it
 * exports out of later exports, and the work directory is what remembers it, so keep the directory.
 */
public final class RecoverFailedEvents {

    private RecoverFailedEvents() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     * @throws IOException if the work directory cannot be created
     */
    public static void main(String[] args) throws IOException {
        try (Example example = Example.connect(50_000)) {
            String given = System.getenv("WEBHOOKS_WORK_DIR");
            Path workDirectory = given != null && !given.isBlank() ? Path.of(given)
                    : Files.createTempDirectory("webhooks-recovery-");
            System.out.println("Work directory " + workDirectory + (given != null && !given.isBlank() ? ""
                    : " (temporary: set WEBHOOKS_WORK_DIR to keep one between runs; delete this one when done)")
                    + "; starts an export unless one is left to continue or adopt");
            RecoveryResult result = recover(example.client, example.subscriptionId, workDirectory);
            System.out.printf("Recovered %,d failed events from export %s (%,d malformed lines skipped, %,d bytes, "
                    + "file %s) in %.1f s%s%n", result.eventsHandled(), result.exportId().orElse("<none: nothing to "
                    + "export>"), result.malformedLines(), result.bytes(), result.file().map(Path::toString).orElse("-"),
                    result.elapsed().toMillis() / 1000.0, result.resumed() ? " (resumed an earlier run)" : "");
        }
    }

    static RecoveryResult recover(BulkExportClient client, String subscriptionId, Path workDirectory) {
        AtomicLong redelivered = new AtomicLong();
        // readme:recover:begin
        RecoveryResult result = client.recoverFailedEvents(
                RecoveryRequest.of(subscriptionId, workDirectory)
                        .withProgressListener(RecoverFailedEvents::print),
                event -> {
                    // Your ingestion goes here, e.g. re-post event.jws() to the listener.
                    // Deduplicate by event.eventId() if even one repeat after a crash matters.
                    redelivered.incrementAndGet();
                });
        // readme:recover:end
        return result;
    }

    private static RecoveryProgress.Phase lastPhase;

    /** One line a person can read, e.g. "HANDLING_EVENTS export 3f…: 12,000 of ~50,000 events, 41,000/s, 1 s left". */
    private static void print(RecoveryProgress progress) {
        if (progress.phase() == lastPhase && progress.phase() != RecoveryProgress.Phase.HANDLING_EVENTS
                && progress.phase() != RecoveryProgress.Phase.DOWNLOADING
                && progress.phase() != RecoveryProgress.Phase.WAITING_FOR_SLOT) {
            return;
        }
        lastPhase = progress.phase();
        String job = progress.exportId().map(id -> " export " + id).orElse("");
        String detail = switch (progress.phase()) {
            case WAITING_FOR_SLOT -> String.format("another export is running; waited %d s, time left to wait: %s",
                    progress.phaseElapsed().toSeconds(), left(progress));
            case DOWNLOADING -> String.format("%,.1f of %s MB, %,.1f MB/s, %s left", progress.bytesDownloaded() / 1e6,
                    progress.totalBytes().isPresent() ? String.format("%,.1f", progress.totalBytes().getAsLong() / 1e6)
                            : "?", progress.bytesPerSecond() / 1e6, left(progress));
            case HANDLING_EVENTS -> String.format("%,d of ~%s events, %,.0f/s, %s left (%,d malformed lines)",
                    progress.eventsHandled(), progress.totalEvents().isPresent()
                            ? String.format("%,d", progress.totalEvents().getAsLong()) : "?",
                    progress.eventsPerSecond(), left(progress), progress.malformedLines());
            case COMPLETED -> String.format("%,d events handled, %,d malformed lines", progress.eventsHandled(),
                    progress.malformedLines());
            default -> "";
        };
        System.out.printf("  %-18s%s%s%n", progress.phase(), job, detail.isEmpty() ? "" : ": " + detail);
    }

    private static String left(RecoveryProgress progress) {
        return progress.remaining().map(d -> d.toSeconds() > 86_400 ? "no limit" : d.toSeconds() + " s").orElse("? s");
    }
}
