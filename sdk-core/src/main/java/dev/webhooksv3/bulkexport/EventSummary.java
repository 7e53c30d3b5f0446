package dev.webhooksv3.bulkexport;

import java.time.Instant;

/**
 * Counts of a subscription's events; {@link #exportable()} answers "do I need an export?".
 *
 * <p>The service recomputes it at most once a day.
 *
 * @param updatedAt when the service computed the counts; may be null if it omitted it
 * @param total all events in the event store
 * @param succeeded events delivered
 * @param retrying events waiting for another delivery attempt
 * @param failed events whose delivery failed for good
 * @param exportable failed events not exported yet
 */
public record EventSummary(Instant updatedAt, long total, long succeeded, long retrying,
                           long failed, long exportable) {
}
