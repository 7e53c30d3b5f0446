package dev.webhooksv3.bulkexport.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A point in time a wait must not pass, safe for "forever": {@code Duration.ofSeconds(Long.MAX_VALUE)}
 * saturates at {@link Instant#MAX} instead of overflowing.
 *
 * @param clock the clock it is read with
 * @param at the deadline
 */
record Deadline(Clock clock, Instant at) {

    /** A deadline {@code limit} from now on {@code clock}. */
    static Deadline after(Clock clock, Duration limit) {
        Instant now = clock.instant();
        Duration room = Duration.between(now, Instant.MAX);
        return new Deadline(clock, limit.compareTo(room) >= 0 ? Instant.MAX : now.plus(limit));
    }

    /** Whether the deadline has come. */
    boolean passed() {
        return !clock.instant().isBefore(at);
    }

    /** The time left, zero once passed. */
    Duration remaining() {
        Duration left = Duration.between(clock.instant(), at);
        return left.isNegative() ? Duration.ZERO : left;
    }

    /** {@code wait}, shortened to what is left. */
    Duration cap(Duration wait) {
        return shorter(wait, remaining());
    }

    static Duration shorter(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Twice {@code interval}, at most {@code max}; never overflows. */
    static Duration doubled(Duration interval, Duration max) {
        return interval.compareTo(max.dividedBy(2)) >= 0 ? max : interval.multipliedBy(2);
    }

    static Duration longer(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
