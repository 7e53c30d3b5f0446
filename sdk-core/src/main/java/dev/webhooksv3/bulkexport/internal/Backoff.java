package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The one backoff of the SDK: the wait before attempt {@code n + 1} after {@code n} failures, for
 * every loop that waits (request retries, download resumes, slot waits, re-sent starts).
 *
 * <p>The exponential part is resilience4j's {@link IntervalFunction#ofExponentialBackoff}. The
 * jitter is ours: resilience4j randomizes before it caps, so once the exponential value passes the
 * cap every client waits exactly {@code maxBackoff} and a fleet retries in lockstep. Here a wait
 * that the spread would push past the cap is drawn again below it, from
 * {@code maxBackoff × (1 − jitter)} to {@code maxBackoff}: jittered at the cap too, never longer.
 */
final class Backoff implements IntervalFunction {

    private final IntervalFunction exponential;
    private final long maxMillis;
    private final double jitter;

    Backoff(RetryPolicy policy) {
        long initial = policy.initialBackoff().toMillis();
        this.exponential = initial < 1 ? attempt -> 0L : IntervalFunction.ofExponentialBackoff(initial, 2.0);
        this.maxMillis = policy.maxBackoff().toMillis();
        this.jitter = policy.jitter();
    }

    /**
     * The wait after {@code failures} consecutive failures (1 for the wait before the second attempt).
     *
     * @param failures how many attempts failed so far, at least 1
     * @return the wait
     */
    Duration after(int failures) {
        return Duration.ofMillis(apply(Math.max(1, failures)));
    }

    @Override
    public Long apply(Integer attempt) {
        long base = Math.min(exponential.apply(attempt), maxMillis);
        if (jitter == 0 || base == 0) {
            return base;
        }
        double spread = 1 - jitter + 2 * jitter * ThreadLocalRandom.current().nextDouble();
        double wait = base * spread;
        if (wait > maxMillis) {
            wait = maxMillis * (1 - jitter * ThreadLocalRandom.current().nextDouble());
        }
        return (long) wait;
    }
}
