package dev.webhooksv3.bulkexport.testkit;

import static dev.webhooksv3.bulkexport.testkit.EventCatalog.AWAITING_EXECUTING;
import static dev.webhooksv3.bulkexport.testkit.EventCatalog.AWAITING_RETRY;
import static dev.webhooksv3.bulkexport.testkit.EventCatalog.FAILURE;
import static dev.webhooksv3.bulkexport.testkit.EventCatalog.SUCCESS;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The state of each event now: the one it was seeded in ({@link EventCatalog#seededState}), or
 * where redeliveries have taken it. A redelivered event is {@code awaiting-retry} for the
 * redelivery delay, then {@code success} or {@code failure} as configured; one that failed again
 * may be redelivered again. States are derived from the clock when asked (nothing runs in the
 * background), and only redeliveries are held in memory. Thread-safe.
 */
final class EventStates {

    /** The latest redelivery of one event; {@code round} counts its redeliveries. */
    private record Redelivery(Instant at, Instant settlesAt, boolean succeeds, int round) {

        String state(Instant now) {
            return now.isBefore(settlesAt) ? AWAITING_RETRY : succeeds ? SUCCESS : FAILURE;
        }
    }

    /** The counts of the summary. */
    record Counts(long failed, long succeeded, long retrying) {
    }

    private final EventCatalog catalog;
    private final Duration delay;
    private final boolean succeed;
    private final NavigableMap<Long, Redelivery> redeliveries = new TreeMap<>();

    /**
     * @param delay how long a redelivered event awaits its retry
     * @param succeed whether that retry succeeds (else the event is {@code failure} again)
     */
    EventStates(EventCatalog catalog, Duration delay, boolean succeed) {
        this.catalog = catalog;
        this.delay = delay;
        this.succeed = succeed;
    }

    synchronized String state(long index, Instant now) {
        Redelivery redelivery = redeliveries.get(index);
        return redelivery == null ? catalog.seededState(index) : redelivery.state(now);
    }

    /** When the event's state began; its attempts so far. */
    synchronized Instant updatedAt(long index, Instant now) {
        Redelivery redelivery = redeliveries.get(index);
        return redelivery == null ? catalog.updatedAt(index)
                : now.isBefore(redelivery.settlesAt()) ? redelivery.at() : redelivery.settlesAt();
    }

    synchronized int attempts(long index, Instant now) {
        Redelivery redelivery = redeliveries.get(index);
        return catalog.attempts(index) + (redelivery == null ? 0
                : redelivery.round() - (now.isBefore(redelivery.settlesAt()) ? 1 : 0));
    }

    /** Schedules a failed event again; false when it is not {@code failure} now. */
    synchronized boolean redeliver(long index, Instant now) {
        if (!state(index, now).equals(FAILURE)) {
            return false;
        }
        Redelivery last = redeliveries.get(index);
        redeliveries.put(index, new Redelivery(now, now.plus(delay), succeed, last == null ? 1 : last.round() + 1));
        return true;
    }

    /** The failed indices in {@code [from, to)} that are not {@code failure} now, in order. */
    synchronized long[] notFailed(long from, long to, Instant now) {
        return redeliveries.subMap(from, true, to, false).entrySet().stream()
                .filter(e -> !e.getValue().state(now).equals(FAILURE)).mapToLong(Map.Entry::getKey).toArray();
    }

    /** Those of {@code indices} that are {@code failure} now, in order. */
    synchronized long[] failedAmong(Collection<Long> indices, Instant now) {
        return indices.stream().mapToLong(Long::longValue).filter(i -> state(i, now).equals(FAILURE)).sorted()
                .toArray();
    }

    /**
     * The first index at or after {@code from} and before {@code bound} whose state now matches
     * (null: any state), or -1.
     */
    synchronized long nextMatching(long from, long bound, String state, Instant now) {
        long end = Math.min(bound, catalog.total());
        if (from >= end) {
            return -1;
        }
        if (state == null) {
            return from;
        }
        long failedEnd = Math.min(end, catalog.count());
        if (state.equals(FAILURE)) {
            for (long index = from; index < failedEnd; index++) {
                Redelivery redelivery = redeliveries.get(index);
                if (redelivery == null || redelivery.state(now).equals(FAILURE)) {
                    return index;
                }
            }
            return -1;
        }
        // Redelivered events (all failed ones, so before any seeded in another state) come first.
        for (Map.Entry<Long, Redelivery> e : redeliveries.subMap(from, true, Math.max(from, failedEnd), false)
                .entrySet()) {
            if (e.getValue().state(now).equals(state)) {
                return e.getKey();
            }
        }
        long[] seeded = catalog.seededRange(state);
        long first = Math.max(from, seeded[0]);
        return first < Math.min(seeded[1], end) ? first : -1;
    }

    /** The counts of the events in each state now; {@code retrying} holds both awaiting states. */
    synchronized Counts counts(Instant now) {
        long succeeded = catalog.seeded(SUCCESS);
        long retrying = catalog.seeded(AWAITING_RETRY) + catalog.seeded(AWAITING_EXECUTING);
        for (Redelivery redelivery : redeliveries.values()) {
            String state = redelivery.state(now);
            succeeded += state.equals(SUCCESS) ? 1 : 0;
            retrying += state.equals(AWAITING_RETRY) ? 1 : 0;
        }
        return new Counts(catalog.total() - succeeded - retrying, succeeded, retrying);
    }
}
