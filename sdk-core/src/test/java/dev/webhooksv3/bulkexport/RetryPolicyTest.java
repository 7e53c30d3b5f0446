package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Duration MS_10 = Duration.ofMillis(10);
    private static final Duration MS_40 = Duration.ofMillis(40);
    private static final Duration MIN_1 = Duration.ofMinutes(1);

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void maxAttemptsBelowOneIsRefused(int attempts) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(attempts, MS_10, MS_40, MIN_1, 0));

        assertTrue(error.getMessage().contains(String.valueOf(attempts)), error.getMessage());
    }

    @Test
    void negativeDurationsAreRefused() {
        Duration negative = Duration.ofMillis(-1);

        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, negative, MS_40, MIN_1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, Duration.ZERO, negative, MIN_1, 0));
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, MS_10, MS_40, negative, 0));
    }

    @Test
    void nullDurationsAreRefused() {
        assertThrows(NullPointerException.class, () -> new RetryPolicy(3, null, MS_40, MIN_1, 0));
        assertThrows(NullPointerException.class, () -> new RetryPolicy(3, MS_10, null, MIN_1, 0));
        assertThrows(NullPointerException.class, () -> new RetryPolicy(3, MS_10, MS_40, null, 0));
    }

    @Test
    void maxBackoffShorterThanInitialBackoffIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> new RetryPolicy(3, MS_40, MS_10, MIN_1, 0));

        assertTrue(error.getMessage().contains("maxBackoff"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(doubles = {1.5, -0.1, Double.NaN, Double.POSITIVE_INFINITY})
    void jitterOutsideZeroToOneIsRefused(double jitter) {
        assertThrows(IllegalArgumentException.class, () -> new RetryPolicy(3, MS_10, MS_40, MIN_1, jitter));
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.5, 1})
    void jitterFromZeroToOneInclusiveIsAccepted(double jitter) {
        assertEquals(jitter, new RetryPolicy(3, MS_10, MS_40, MIN_1, jitter).jitter());
    }

    @Test
    void defaultsAreFourAttemptsFromHalfASecondToThirtySecondsWithHalfJitter() {
        assertEquals(new RetryPolicy(4, Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofMinutes(2), 0.5),
                RetryPolicy.defaults());
    }

    @Test
    void noneMakesASingleAttempt() {
        assertEquals(1, RetryPolicy.none().maxAttempts());
    }

    @Test
    void withCopiesChangeOneComponentAndLeaveTheOriginalAlone() {
        RetryPolicy original = new RetryPolicy(3, MS_10, MS_40, MIN_1, 0.25);

        assertEquals(new RetryPolicy(7, MS_10, MS_40, MIN_1, 0.25), original.withMaxAttempts(7));
        assertEquals(new RetryPolicy(3, Duration.ofSeconds(1), Duration.ofSeconds(9), MIN_1, 0.25),
                original.withBackoff(Duration.ofSeconds(1), Duration.ofSeconds(9)));
        assertEquals(new RetryPolicy(3, MS_10, MS_40, Duration.ofSeconds(5), 0.25),
                original.withMaxRetryAfter(Duration.ofSeconds(5)));
        assertEquals(new RetryPolicy(3, MS_10, MS_40, MIN_1, 0.75), original.withJitter(0.75));
        assertEquals(new RetryPolicy(3, MS_10, MS_40, MIN_1, 0.25), original);
    }

    @Test
    void withCopiesAreValidatedLikeTheConstructor() {
        RetryPolicy original = new RetryPolicy(3, MS_10, MS_40, MIN_1, 0);

        assertThrows(IllegalArgumentException.class, () -> original.withMaxAttempts(0));
        assertThrows(IllegalArgumentException.class, () -> original.withBackoff(MS_40, MS_10));
        assertThrows(IllegalArgumentException.class, () -> original.withMaxRetryAfter(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> original.withJitter(1.5));
    }
}
