package dev.webhooksv3.bulkexport;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link BulkExportClient#assessFailedEvents(AssessmentRequest)} looks at.
 *
 * @param subscriptionId the webhook subscription
 * @param workDirectory the recovery work directory, if any: its checkpoints tell which completed
 *     exports were handled
 * @param redeliverThreshold up to this many failed events not yet exported, redelivering them one by
 *     one is recommended over an export
 * @param maxEventsScanned the most failed events of the store read to count them (the rest are
 *     counted as "at least")
 */
public record AssessmentRequest(String subscriptionId, Optional<Path> workDirectory, int redeliverThreshold,
                                int maxEventsScanned) {

    /** The default {@link #redeliverThreshold}. */
    public static final int DEFAULT_REDELIVER_THRESHOLD = 100;

    /**
     * Checks the components.
     *
     * @param subscriptionId the webhook subscription
     * @param workDirectory the recovery work directory, if any
     * @param redeliverThreshold the most failed events to recommend redelivering, at least 0
     * @param maxEventsScanned the most failed events read, at least 1
     * @throws IllegalArgumentException if a number is out of range
     */
    public AssessmentRequest {
        Objects.requireNonNull(subscriptionId, "subscriptionId");
        Objects.requireNonNull(workDirectory, "workDirectory");
        if (redeliverThreshold < 0 || maxEventsScanned < 1) {
            throw new IllegalArgumentException("redeliverThreshold must be at least 0 and maxEventsScanned at least 1: "
                    + redeliverThreshold + ", " + maxEventsScanned);
        }
    }

    /**
     * Returns a request without a work directory, a threshold of
     * {@value #DEFAULT_REDELIVER_THRESHOLD} and at most 10,000 events read.
     *
     * @param subscriptionId the webhook subscription
     * @return the request
     */
    public static AssessmentRequest of(String subscriptionId) {
        return new AssessmentRequest(subscriptionId, Optional.empty(), DEFAULT_REDELIVER_THRESHOLD, 10_000);
    }

    /**
     * Returns a copy that reads the checkpoints of a recovery work directory.
     *
     * @param directory the directory given to {@link RecoveryRequest}
     * @return the copy
     */
    public AssessmentRequest withWorkDirectory(Path directory) {
        return new AssessmentRequest(subscriptionId, Optional.of(directory), redeliverThreshold, maxEventsScanned);
    }

    /**
     * Returns a copy with another redelivery threshold.
     *
     * @param threshold the most failed events to recommend redelivering, at least 0
     * @return the copy
     */
    public AssessmentRequest withRedeliverThreshold(int threshold) {
        return new AssessmentRequest(subscriptionId, workDirectory, threshold, maxEventsScanned);
    }

    /**
     * Returns a copy that reads at most {@code n} failed events of the store.
     *
     * @param n at least 1
     * @return the copy
     */
    public AssessmentRequest withMaxEventsScanned(int n) {
        return new AssessmentRequest(subscriptionId, workDirectory, redeliverThreshold, n);
    }
}
