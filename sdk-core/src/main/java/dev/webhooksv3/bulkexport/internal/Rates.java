package dev.webhooksv3.bulkexport.internal;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/** Estimates of the time left, shared by the download's and the recovery's progress reports. */
final class Rates {

    private Rates() {
    }

    /** The time to go from {@code done} to {@code total} at {@code perSecond}; empty when either is unknown. */
    static Optional<Duration> remaining(OptionalLong total, long done, double perSecond) {
        if (total.isEmpty() || !(perSecond > 0)) {
            return Optional.empty();
        }
        double seconds = Math.max(0, total.getAsLong() - done) / perSecond;
        return seconds < Long.MAX_VALUE / 1_000_000_000L
                ? Optional.of(Duration.ofNanos((long) (seconds * 1e9))) : Optional.empty();
    }
}
