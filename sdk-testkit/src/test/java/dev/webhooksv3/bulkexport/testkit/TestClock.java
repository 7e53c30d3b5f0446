package dev.webhooksv3.bulkexport.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that moves only when told to, so that job lifecycles are tested without sleeping. */
final class TestClock extends Clock {

    private volatile Instant now;

    TestClock() {
        this(Instant.parse("2024-06-01T12:00:00Z"));
    }

    TestClock(Instant start) {
        this.now = start;
    }

    void advance(Duration by) {
        now = now.plus(by);
    }

    @Override
    public Instant instant() {
        return now;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
