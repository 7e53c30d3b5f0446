package dev.webhooksv3.bulkexport;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The answer to "do I need an export?": what the service says, what its event store holds, the
 * exports of the last 7 days, and a recommendation with its reasons.
 *
 * <p>The service's rules behind it: an export marks its events so that no later export holds them;
 * the store keeps every event 7 days, exported or not, so "failed in the store" does not mean
 * "still to export"; the summary's {@code exportable} is recomputed at most once a day; at most one
 * export may complete per 24 hours.
 *
 * @param recommendation what to do
 * @param reasons why, in sentences a person reads
 * @param summary the service's counts
 * @param failed the failed events of the store
 * @param recentExports the completed exports of the last 7 days, oldest first
 * @param nextExportPossibleAt when an export may complete again, if one completed in the last 24 hours
 */
public record FailedEventsAssessment(Recommendation recommendation, List<String> reasons, EventSummary summary,
                                     FailedInStore failed, List<RecentExport> recentExports,
                                     Optional<Instant> nextExportPossibleAt) {

    /** What to do. */
    public enum Recommendation {
        /** Nothing failed, or every failure was already exported and handled. */
        NOTHING,
        /** A handful of failures not exported yet: redeliver {@link FailedInStore#notExportedIds()}. */
        REDELIVER,
        /** Many failures not exported yet: start an export ({@code recoverFailedEvents}). */
        EXPORT,
        /** A completed export nobody handled: recover it, its events will never be exported again. */
        DOWNLOAD_EXISTING
    }

    /**
     * The failed events of the store.
     *
     * @param count failed events read
     * @param complete whether every failed event was read (else {@code count} is a lower bound)
     * @param oldest the oldest one's creation
     * @param newest the newest one's creation
     * @param notExported how many of them no export holds yet
     * @param notExportedIds their ids, at most the redelivery threshold
     */
    public record FailedInStore(long count, boolean complete, Optional<Instant> oldest, Optional<Instant> newest,
                                long notExported, List<String> notExportedIds) {

        /**
         * Checks the components.
         *
         * @param count failed events read
         * @param complete whether every failed event was read
         * @param oldest the oldest one's creation
         * @param newest the newest one's creation
         * @param notExported how many no export holds yet
         * @param notExportedIds their ids
         */
        public FailedInStore {
            Objects.requireNonNull(oldest, "oldest");
            Objects.requireNonNull(newest, "newest");
            notExportedIds = List.copyOf(notExportedIds);
        }
    }

    /**
     * A completed export of the last 7 days.
     *
     * @param job the job
     * @param handled whether a recovery in the given work directory handled all of it; empty without one
     */
    public record RecentExport(ExportJob job, Optional<Boolean> handled) {

        /**
         * Checks the components.
         *
         * @param job the job
         * @param handled whether it was handled, if known
         */
        public RecentExport {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(handled, "handled");
        }
    }

    /**
     * Checks the components.
     *
     * @param recommendation what to do
     * @param reasons why
     * @param summary the service's counts
     * @param failed the failed events of the store
     * @param recentExports the completed exports of the last 7 days
     * @param nextExportPossibleAt when an export may complete again
     */
    public FailedEventsAssessment {
        Objects.requireNonNull(recommendation, "recommendation");
        reasons = List.copyOf(reasons);
        Objects.requireNonNull(summary, "summary");
        Objects.requireNonNull(failed, "failed");
        recentExports = List.copyOf(recentExports);
        Objects.requireNonNull(nextExportPossibleAt, "nextExportPossibleAt");
    }
}
