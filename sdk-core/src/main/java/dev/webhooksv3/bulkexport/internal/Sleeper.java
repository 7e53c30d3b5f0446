package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.time.Duration;

/** Waits; injected so that tests never sleep for real. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread with {@link Thread#sleep}; a "forever" duration sleeps until interrupted. */
    Sleeper SYSTEM = duration -> {
        long seconds = duration.getSeconds();
        Thread.sleep(seconds >= Long.MAX_VALUE / 1_000 ? Long.MAX_VALUE : duration.toMillis());
    };

    /**
     * Waits for {@code duration}.
     *
     * @param duration how long; zero returns at once
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;

    /**
     * The one interruptible pause of the SDK: waits, and turns an interrupt into a
     * {@link BulkExportException} that says what was being waited for, with the thread's
     * interrupt flag set again.
     *
     * @param duration how long
     * @param waitingFor what the wait is for, as in "interrupted while {waitingFor}"
     * @throws BulkExportException if interrupted
     */
    default void pause(Duration duration, String waitingFor) {
        try {
            sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException("interrupted while " + waitingFor, e);
        }
    }
}
