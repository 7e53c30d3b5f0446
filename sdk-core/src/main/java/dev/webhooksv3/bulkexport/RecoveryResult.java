package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The outcome of {@link BulkExportClient#recoverFailedEvents}.
 *
 * @param exportId the export job recovered; empty when nothing was exportable
 * @param file the export file in the working directory; empty when nothing was exportable
 * @param fileSha256 the SHA-256 of the export file, lower-case hex; empty when nothing was exportable
 * @param eventsHandled events acknowledged by the handler, over all runs of this recovery
 * @param eventsHandledThisRun events acknowledged by the handler in this run
 * @param malformedLines malformed lines skipped (and reported), over all runs
 * @param deadLettered events the handler kept failing on, written to the dead-letter file, over all runs
 * @param bytes the size of the export file
 * @param elapsed how long this run took
 * @param resumed whether this run continued a recovery an earlier run had begun
 */
public record RecoveryResult(Optional<String> exportId, Optional<Path> file, Optional<String> fileSha256,
                             long eventsHandled, long eventsHandledThisRun, long malformedLines,
                             long deadLettered, long bytes, Duration elapsed, boolean resumed) {

    /**
     * Checks the components.
     *
     * @param exportId the export job recovered; empty when nothing was exportable
     * @param file the export file in the working directory; empty when nothing was exportable
     * @param fileSha256 the SHA-256 of the export file; empty when nothing was exportable
     * @param eventsHandled events acknowledged by the handler, over all runs of this recovery
     * @param eventsHandledThisRun events acknowledged by the handler in this run
     * @param malformedLines malformed lines skipped (and reported), over all runs
     * @param deadLettered events written to the dead-letter file, over all runs
     * @param bytes the size of the export file
     * @param elapsed how long this run took
     * @param resumed whether this run continued a recovery an earlier run had begun
     */
    public RecoveryResult {
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(fileSha256, "fileSha256");
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /**
     * Returns the result of a run that found nothing to export, and started no job.
     *
     * @param elapsed how long the run took
     * @return the result, with no export, file or events
     */
    public static RecoveryResult nothingToRecover(Duration elapsed) {
        return new RecoveryResult(Optional.empty(), Optional.empty(), Optional.empty(), 0, 0, 0, 0, 0, elapsed, false);
    }
}
