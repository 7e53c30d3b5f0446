package dev.webhooksv3.bulkexport;

import java.time.Duration;
import java.util.Objects;

/**
 * How calls are retried after transient failures.
 *
 * <p>Retried: I/O failures before a response, and statuses 408, 429, 502, 503 and 504. The
 * wait before attempt {@code n + 1} is {@code initialBackoff × 2^(n-1)}, capped at
 * {@code maxBackoff}, spread by ± {@code jitter} (a fraction, 0 to 1). A {@code Retry-After}
 * header (seconds or HTTP date) replaces the backoff when present; when it asks for more than
 * {@code maxRetryAfter} the call fails at once with a {@link RateLimitedException} (429) or
 * {@link ServerException} (503) whose {@code retryAfter()} tells the wait. Earlier failed
 * attempts are attached to the final exception as suppressed exceptions.
 *
 * @param maxAttempts attempts in all, counting the first one; 1 means no retry
 * @param initialBackoff the wait before the second attempt
 * @param maxBackoff the longest wait between two attempts
 * @param maxRetryAfter the longest {@code Retry-After} the client is willing to wait
 * @param jitter the random spread of each backoff, from 0 (none) to 1
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff,
                          Duration maxRetryAfter, double jitter) {

    /**
     * Checks the components.
     *
     * @param maxAttempts attempts in all, counting the first one; 1 means no retry
     * @param initialBackoff the wait before the second attempt
     * @param maxBackoff the longest wait between two attempts
     * @param maxRetryAfter the longest {@code Retry-After} the client is willing to wait
     * @param jitter the random spread of each backoff, from 0 (none) to 1
     * @throws IllegalArgumentException if a value is out of range
     */
    public RetryPolicy {
        Objects.requireNonNull(initialBackoff, "initialBackoff");
        Objects.requireNonNull(maxBackoff, "maxBackoff");
        Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1: " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative: initialBackoff="
                    + initialBackoff + ", maxBackoff=" + maxBackoff + ", maxRetryAfter=" + maxRetryAfter);
        }
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("maxBackoff " + maxBackoff + " is shorter than initialBackoff "
                    + initialBackoff);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be between 0 and 1: " + jitter);
        }
    }

    /**
     * Returns the default policy: 4 attempts, backoff from 500 ms to 30 s with 50 % jitter,
     * {@code Retry-After} honoured up to 2 minutes.
     *
     * @return the default policy
     */
    public static RetryPolicy defaults() {
        return new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(2), 0.5);
    }

    /**
     * Returns a policy that never retries.
     *
     * @return a one-attempt policy
     */
    public static RetryPolicy none() {
        return new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO, 0);
    }

    /**
     * Returns a copy with another number of attempts.
     *
     * @param attempts attempts in all, counting the first
     * @return the copy
     */
    public RetryPolicy withMaxAttempts(int attempts) {
        return new RetryPolicy(attempts, initialBackoff, maxBackoff, maxRetryAfter, jitter);
    }

    /**
     * Returns a copy with other backoff bounds.
     *
     * @param initial the wait before the second attempt
     * @param max the longest wait between two attempts
     * @return the copy
     */
    public RetryPolicy withBackoff(Duration initial, Duration max) {
        return new RetryPolicy(maxAttempts, initial, max, maxRetryAfter, jitter);
    }

    /**
     * Returns a copy with another cap on {@code Retry-After}.
     *
     * @param max the longest {@code Retry-After} to wait for
     * @return the copy
     */
    public RetryPolicy withMaxRetryAfter(Duration max) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, max, jitter);
    }

    /**
     * Returns a copy with another jitter.
     *
     * @param spread the random spread of each backoff, from 0 to 1
     * @return the copy
     */
    public RetryPolicy withJitter(double spread) {
        return new RetryPolicy(maxAttempts, initialBackoff, maxBackoff, maxRetryAfter, spread);
    }
}
