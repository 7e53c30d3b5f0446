package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.EventRejectedException;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** When a run of failed hand-overs means "the listener is down" rather than "this event is bad". */
class FailureStreakTest {

    private static final List<FailedEvent> EVENTS = events(3);

    @Test
    void onePoisonEventFailingAgainAndAgainNeverStopsTheRecovery() throws Exception {
        FailureStreak streak = new FailureStreak(3);
        IOException refused = new IOException("503");
        for (int attempt = 0; attempt < 10; attempt++) {
            streak.check();
            assertSame(refused, streak.failed(EVENTS.get(0), refused), "its own failure: it may be set aside");
        }
        assertFalse(streak.broken());
    }

    @Test
    void failuresOfSeveralEventsInARowStopItAndEveryLaterHandOverIsInterruptedToo() throws Exception {
        FailureStreak streak = new FailureStreak(3);
        IOException down = new IOException("connection refused");
        streak.failed(EVENTS.get(0), down);
        streak.failed(EVENTS.get(0), down);

        Exception third = streak.failed(EVENTS.get(1), down);

        assertInstanceOf(InterruptedException.class, third, "never a dead letter");
        assertSame(down, third.getCause());
        assertTrue(streak.broken());
        assertThrows(InterruptedException.class, streak::check);
        assertInstanceOf(InterruptedException.class, streak.failed(EVENTS.get(2), new IOException("late")),
                "a failure in flight after the stop is not set aside either");
        assertEquals(Exit.TRANSIENT, streak.exitCode());
        assertTrue(streak.lastFailure().contains("connection refused"), "the failure that broke it, not a later one");
    }

    @Test
    void aSuccessInBetweenStartsTheCountAgainButNotOnceStopped() throws Exception {
        FailureStreak streak = new FailureStreak(2);
        streak.failed(EVENTS.get(0), new IOException("a"));
        streak.succeeded();
        streak.failed(EVENTS.get(1), new IOException("b"));
        assertFalse(streak.broken());

        streak.failed(EVENTS.get(2), new EventRejectedException("refused", "invalid_key", null));
        streak.succeeded();

        assertTrue(streak.broken(), "a late success does not undo a stop");
        assertEquals(Exit.FAILED, streak.exitCode(), "a listener that refuses the events will refuse them again");
    }

    @Test
    void aLimitOfZeroNeverStops() {
        FailureStreak streak = new FailureStreak(0);
        for (FailedEvent event : EVENTS) {
            streak.failed(event, new IOException("down"));
        }
        assertFalse(streak.broken());
    }

    private static List<FailedEvent> events(int n) {
        StringBuilder lines = new StringBuilder();
        for (int i = 0; i < n; i++) {
            lines.append("{\"id\":\"event-").append(i).append("\",\"state\":\"failure\"}\n");
        }
        List<FailedEvent> events = new ArrayList<>();
        try (EventStream stream = EventStream.of(new ByteArrayInputStream(lines.toString()
                .getBytes(StandardCharsets.UTF_8)))) {
            stream.forEach(events::add);
        }
        return events;
    }
}
