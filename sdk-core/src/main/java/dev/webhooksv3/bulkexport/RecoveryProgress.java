package dev.webhooksv3.bulkexport;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A report on a recovery in progress, given at each phase change and at a bounded rate within a
 * phase: enough to print "downloading export X: 210 of 614 MB, 180 MB/s, 2 s left".
 *
 * @param phase what the recovery is doing
 * @param exportId the export job; empty before one is started or adopted (while the summary is
 *     read, the start is sent, or a free slot is awaited)
 * @param phaseElapsed how long the recovery has been in this phase; for
 *     {@link Phase#WAITING_FOR_SLOT}, how long it has waited for a free slot
 * @param bytesDownloaded the bytes of the export file on disk so far
 * @param totalBytes the size of the export file, once the service told it
 * @param bytesPerSecond the download's average throughput, while {@link Phase#DOWNLOADING}; else 0
 * @param eventsHandled events acknowledged by the handler so far, over all runs
 * @param totalEvents the events in the export, handled and dead-lettered: exact once
 *     {@link Phase#COMPLETED}; before, estimated from how much of the file was handled, or from
 *     the subscription's exportable count when this run started the export; empty when unknown
 * @param eventsPerSecond the events handled (or dead-lettered) per second in this run, while
 *     {@link Phase#HANDLING_EVENTS}; else 0
 * @param malformedLines malformed lines met so far, over all runs
 * @param remaining the estimated time left in this phase while downloading or handling events
 *     (zero once completed); for {@link Phase#WAITING_FOR_SLOT}, the time left before the wait
 *     gives up; empty when there is no estimate
 */
public record RecoveryProgress(Phase phase, Optional<String> exportId, Duration phaseElapsed,
                               long bytesDownloaded, OptionalLong totalBytes, double bytesPerSecond,
                               long eventsHandled, OptionalLong totalEvents, double eventsPerSecond,
                               long malformedLines, Optional<Duration> remaining) {

    /**
     * Checks that no component is null.
     *
     * @param phase what the recovery is doing
     * @param exportId the export job, empty before there is one
     * @param phaseElapsed how long the recovery has been in this phase
     * @param bytesDownloaded the bytes of the export file on disk so far
     * @param totalBytes the size of the export file, once known
     * @param bytesPerSecond the download's average throughput
     * @param eventsHandled events acknowledged so far, over all runs
     * @param totalEvents the events in the export, once known or estimated
     * @param eventsPerSecond events handled per second in this run
     * @param malformedLines malformed lines so far, over all runs
     * @param remaining the estimated time left in this phase
     */
    public RecoveryProgress {
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(exportId, "exportId");
        Objects.requireNonNull(phaseElapsed, "phaseElapsed");
        Objects.requireNonNull(totalBytes, "totalBytes");
        Objects.requireNonNull(totalEvents, "totalEvents");
        Objects.requireNonNull(remaining, "remaining");
    }

    /** The steps of a recovery, in order. */
    public enum Phase {
        /** Reading the subscription's summary. */
        CHECKING_SUMMARY,
        /** Starting the export job. */
        STARTING_EXPORT,
        /** Another export is running: waiting until the service has a free slot to start one. */
        WAITING_FOR_SLOT,
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
