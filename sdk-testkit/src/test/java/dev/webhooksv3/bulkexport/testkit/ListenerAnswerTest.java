package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ListenerAnswerTest {

    @Test
    void showsEachAnswerAsATestReportShouldRead() {
        assertEquals("accept", ListenerAnswer.accept().toString());
        assertEquals("400 invalid_key", ListenerAnswer.reject("invalid_key").toString());
        assertEquals("400 invalid_request", ListenerAnswer.status(400).toString());
        assertEquals("429 Retry-After: 1", ListenerAnswer.tooManyRequests(Duration.ofMillis(1)).toString());
        assertEquals("429 Retry-After: 0", ListenerAnswer.tooManyRequests(Duration.ZERO).toString());
        assertEquals("503", ListenerAnswer.unavailable().toString());
        assertEquals("reset", ListenerAnswer.reset().toString());
        assertEquals("accept-then-reset", ListenerAnswer.acceptThenReset().toString());
    }

    @Test
    void answersAreValuesEqualWhenTheySayTheSame() {
        assertEquals(ListenerAnswer.unavailable(), ListenerAnswer.status(503));
        assertEquals(ListenerAnswer.status(503).hashCode(), ListenerAnswer.unavailable().hashCode());
        assertEquals(ListenerAnswer.reject("invalid_request"), ListenerAnswer.status(400));
        assertNotEquals(ListenerAnswer.reject("invalid_key"), ListenerAnswer.reject("access_denied"));
        assertNotEquals(ListenerAnswer.status(429), ListenerAnswer.tooManyRequests(Duration.ofSeconds(1)));
    }

    @Test
    void refusesWhatCannotBeSentNamingTheValue() {
        IllegalArgumentException err = assertThrows(IllegalArgumentException.class,
                () -> ListenerAnswer.reject("bad code"));
        IllegalArgumentException status = assertThrows(IllegalArgumentException.class,
                () -> ListenerAnswer.status(302));
        IllegalArgumentException retry = assertThrows(IllegalArgumentException.class,
                () -> ListenerAnswer.tooManyRequests(Duration.ofSeconds(-1)));

        assertTrue(err.getMessage().contains("bad code"), err.getMessage());
        assertTrue(status.getMessage().contains("302"), status.getMessage());
        assertTrue(retry.getMessage().contains("PT-1S"), retry.getMessage());
    }
}
