package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.EventRejectedException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Stops a recovery whose listener is down instead of setting aside every event of the export: once
 * {@code limit} hand-overs in a row have failed (no success in between, whatever the thread), the
 * failing hand-over and every later one end as "interrupted", which the recovery treats as "not
 * handled, try again next run", never as a dead letter. The checkpoint keeps everything before.
 *
 * <p>A listener that refuses one poison event still gets the next; it is a run of failures with no
 * success at all that says the listener, not the event, is the problem.
 */
final class FailureStreak {

    private final int limit;
    private final AtomicInteger streak = new AtomicInteger();
    private final AtomicReference<Exception> last = new AtomicReference<>();
    private volatile boolean broken;

    /** @param limit failures in a row that stop the recovery; 0 never stops it */
    FailureStreak(int limit) {
        this.limit = limit;
    }

    /** Before a hand-over: once broken, no more are tried. */
    void check() throws InterruptedException {
        if (broken) {
            throw new InterruptedException("the listener failed " + limit + " times in a row");
        }
    }

    void succeeded() {
        streak.set(0);
    }

    /**
     * After a failed hand-over: the failure to throw, which is an {@link InterruptedException} once
     * the streak reaches the limit, so that the event is not set aside.
     */
    Exception failed(Exception failure) {
        last.set(failure);
        if (limit > 0 && streak.incrementAndGet() >= limit) {
            broken = true;
            InterruptedException stop = new InterruptedException("the listener failed " + limit + " times in a row");
            stop.initCause(failure);
            return stop;
        }
        return failure;
    }

    boolean broken() {
        return broken;
    }

    int limit() {
        return limit;
    }

    /** The last failure's message, for the person deciding when to run again. */
    String lastFailure() {
        Exception failure = last.get();
        return failure == null ? "none" : failure.getMessage();
    }

    /** Exit 1 when the listener refused the events (it will refuse them again), else 5: run again later. */
    int exitCode() {
        return last.get() instanceof EventRejectedException ? Exit.FAILED : Exit.TRANSIENT;
    }
}
