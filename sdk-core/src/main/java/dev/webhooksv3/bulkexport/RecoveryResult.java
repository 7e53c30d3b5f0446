package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of {@link BulkExportClient#recoverFailedEvents}.
 *
 * @param exportId the export job recovered, or null when nothing was exportable
 * @param file the export file in the working directory, or null when nothing was exportable
 * @param fileSha256 the SHA-256 of the export file, lower-case hex, or null
 * @param eventsHandled events acknowledged by the handler, over all runs of this recovery
 * @param eventsHandledThisRun events acknowledged by the handler in this run
 * @param malformedLines malformed lines skipped (and reported), over all runs
 * @param bytes the size of the export file
 * @param elapsed how long this run took
 * @param resumed whether this run continued a recovery an earlier run had begun
 */
public record RecoveryResult(String exportId, Path file, String fileSha256, long eventsHandled,
                             long eventsHandledThisRun, long malformedLines, long bytes, Duration elapsed,
                             boolean resumed) {

    /**
     * Returns the export job recovered.
     *
     * @return the export id, or empty when nothing was exportable
     */
    public Optional<String> export() {
        return Optional.ofNullable(exportId);
    }
}
