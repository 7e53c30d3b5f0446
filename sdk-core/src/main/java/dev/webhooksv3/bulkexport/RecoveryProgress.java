package dev.webhooksv3.bulkexport;

/**
 * A report on a recovery in progress, given at each phase change and at a bounded rate within a
 * phase.
 *
 * @param phase what the recovery is doing
 * @param exportId the export job, or null before one is started or adopted
 * @param bytesDownloaded the bytes of the export file on disk so far
 * @param eventsHandled events acknowledged by the handler so far, over all runs
 * @param malformedLines malformed lines met so far, over all runs
 */
public record RecoveryProgress(Phase phase, String exportId, long bytesDownloaded, long eventsHandled,
                               long malformedLines) {

    /** The steps of a recovery, in order. */
    public enum Phase {
        /** Reading the subscription's summary. */
        CHECKING_SUMMARY,
        /** Starting the export job (or waiting for a free slot). */
        STARTING_EXPORT,
        /** Waiting for the job to complete. */
        AWAITING_EXPORT,
        /** Downloading the file to the working directory. */
        DOWNLOADING,
        /** Handing events to the handler. */
        HANDLING_EVENTS,
        /** Every event was handled. */
        COMPLETED,
        /** Nothing was exportable, so no job was started. */
        NOTHING_TO_RECOVER
    }
}
