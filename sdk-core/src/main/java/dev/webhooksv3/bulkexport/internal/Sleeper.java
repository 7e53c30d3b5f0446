package dev.webhooksv3.bulkexport.internal;

import java.time.Duration;

/** Waits; injected so that tests never sleep for real. */
@FunctionalInterface
public interface Sleeper {

    /** Sleeps on the calling thread with {@link Thread#sleep}. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis(), duration.toNanosPart() % 1_000_000);

    /**
     * Waits for {@code duration}.
     *
     * @param duration how long; zero returns at once
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    void sleep(Duration duration) throws InterruptedException;
}
