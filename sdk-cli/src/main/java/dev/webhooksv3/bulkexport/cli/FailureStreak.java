package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.EventRejectedException;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.util.HashSet;
import java.util.Set;

/**
 * Stops a recovery whose listener is down instead of setting aside every event of the export: once
 * {@code limit} hand-overs in a row have failed (no success in between, whatever the thread), and
 * they were of at least two events, the failing hand-over and every later one end as
 * "interrupted", which the recovery treats as "not handled, try again next run", never as a dead
 * letter. The checkpoint keeps everything before.
 *
 * <p>One event failing again and again is a poison event, not a listener that is down: alone, its
 * attempts never stop the recovery, and it is set aside as {@code --dead-letters-after} says.
 */
final class FailureStreak {

    private final int limit;
    private int streak;
    private final Set<Long> events = new HashSet<>();
    private Exception last;
    private Exception breaking;

    /** @param limit failures in a row that stop the recovery; 0 never stops it */
    FailureStreak(int limit) {
        this.limit = limit;
    }

    /** Before a hand-over: once broken, no more are tried. */
    synchronized void check() throws InterruptedException {
        if (breaking != null) {
            throw stop();
        }
    }

    synchronized void succeeded() {
        if (breaking == null) {
            streak = 0;
            events.clear();
        }
    }

    /**
     * After a failed hand-over of {@code event}: the failure to throw, which is an
     * {@link InterruptedException} once the streak broke, so that the event is not set aside.
     */
    synchronized Exception failed(FailedEvent event, Exception failure) {
        if (breaking == null) {
            last = failure;
            streak++;
            events.add(event.lineNumber());
            if (limit > 0 && streak >= limit && events.size() >= 2) {
                breaking = failure;
            }
        }
        if (breaking == null) {
            return failure;
        }
        InterruptedException stop = stop();
        stop.initCause(failure);
        return stop;
    }

    synchronized boolean broken() {
        return breaking != null;
    }

    int limit() {
        return limit;
    }

    /** The failure that broke the streak (or the last one), for the person deciding when to run again. */
    synchronized String lastFailure() {
        Exception failure = breaking != null ? breaking : last;
        return failure == null ? "none" : failure.getMessage();
    }

    /** Exit 1 when the listener refused the events (it will refuse them again), else 5: run again later. */
    synchronized int exitCode() {
        return (breaking != null ? breaking : last) instanceof EventRejectedException ? Exit.FAILED : Exit.TRANSIENT;
    }

    private InterruptedException stop() {
        return new InterruptedException("the listener failed " + limit + " times in a row");
    }
}
