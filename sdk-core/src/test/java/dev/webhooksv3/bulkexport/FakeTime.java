package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when told to, and a sleeper that moves it instead of sleeping: the one
 * fake clock of the repository. Shared with sdk-testkit's tests through sdk-core's test-jar, where
 * it is the clock of both the emulator and the client ({@code BulkExportClient.Builder.clock}); the
 * sleeper side stays for sdk-core's own tests, as {@code Builder.sleeper} is package-private.
 */
@SuppressWarnings("exports") // public for the test-jar, whose users (sdk-testkit's tests) run on the class path
public final class FakeTime extends Clock implements Sleeper {

    private final AtomicReference<Instant> now;
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

    FakeTime(Instant start) {
        this.now = new AtomicReference<>(start);
    }

    /** Creates a clock standing at 2026-11-27T12:00:00Z. */
    public FakeTime() {
        this(Instant.parse("2026-11-27T12:00:00Z"));
    }

    /**
     * Moves the clock forward.
     *
     * @param duration how far
     */
    public void advance(Duration duration) {
        now.updateAndGet(instant -> instant.plus(duration));
    }

    /** Every wait asked for, in order. */
    List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    @Override
    public void sleep(Duration duration) throws InterruptedException {
        if (Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("interrupted before sleeping");
        }
        sleeps.add(duration);
        advance(duration);
    }

    @Override
    public Instant instant() {
        return now.get();
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("FakeTime is UTC only");
    }
}
