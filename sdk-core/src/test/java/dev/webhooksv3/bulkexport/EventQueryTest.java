package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.TestClients.SUBSCRIPTION;
import static org.junit.jupiter.api.Assertions.*;

import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventQueryTest {

    private static final String EVENT = "1e7c0a52-0000-4000-8000-000000000001";

    @Test
    void ofSelectsEveryEventAndFailedOnlyFailedOnes() {
        EventQuery all = EventQuery.of(SUBSCRIPTION);

        assertEquals(new EventQuery(SUBSCRIPTION, Optional.empty(), Optional.empty(), Optional.empty(),
                OptionalInt.empty()), all);
        assertEquals(Optional.of(EventState.FAILURE), EventQuery.failed(SUBSCRIPTION).state());
    }

    @Test
    void withCopiesChangeOneComponentAndLeaveTheOriginal() {
        EventQuery original = EventQuery.failed(SUBSCRIPTION);

        EventQuery copy = original.withAfter(EVENT).withBefore(EVENT).withPageSize(50)
                .withState(EventState.AWAITING_RETRY);

        assertEquals(Optional.of(EVENT), copy.after());
        assertEquals(Optional.of(EVENT), copy.before());
        assertEquals(OptionalInt.of(50), copy.pageSize());
        assertEquals(Optional.of(EventState.AWAITING_RETRY), copy.state());
        assertEquals(EventQuery.failed(SUBSCRIPTION), original);
    }

    @ParameterizedTest
    @ValueSource(strings = {"../exports", "a/b", "", "a?b=c", "%2e%2e"})
    void cursorsAndSubscriptionMustBeSafePathSegments(String bad) {
        EventQuery query = EventQuery.of(SUBSCRIPTION);

        IllegalArgumentException after = assertThrows(IllegalArgumentException.class, () -> query.withAfter(bad));
        assertThrows(IllegalArgumentException.class, () -> query.withBefore(bad));
        assertThrows(IllegalArgumentException.class, () -> EventQuery.of(bad));
        assertTrue(after.getMessage().startsWith("after "), after.getMessage());
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, 1_001})
    void pageSizeOutOfRangeIsRefusedNamingIt(int size) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EventQuery.of(SUBSCRIPTION).withPageSize(size));

        assertTrue(error.getMessage().contains("pageSize") && error.getMessage().contains(String.valueOf(size)),
                error.getMessage());
    }

    @Test
    void pageSizesAtTheBoundsAreAccepted() {
        assertEquals(OptionalInt.of(1), EventQuery.of(SUBSCRIPTION).withPageSize(1).pageSize());
        assertEquals(OptionalInt.of(1_000), EventQuery.of(SUBSCRIPTION).withPageSize(EventQuery.MAX_PAGE_SIZE)
                .pageSize());
    }

    @Test
    void nullsAreRefusedNamingTheParameter() {
        EventQuery query = EventQuery.of(SUBSCRIPTION);

        assertEquals("state", assertThrows(NullPointerException.class, () -> query.withState(null)).getMessage());
        assertEquals("after", assertThrows(NullPointerException.class, () -> query.withAfter(null)).getMessage());
        assertEquals("subscriptionId", assertThrows(NullPointerException.class, () -> EventQuery.of(null))
                .getMessage());
    }
}
