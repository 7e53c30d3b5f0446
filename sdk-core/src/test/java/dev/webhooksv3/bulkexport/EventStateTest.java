package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class EventStateTest {

    @ParameterizedTest
    @ValueSource(strings = {"awaiting-executing", "awaiting-retry", "success", "failure"})
    void theFourDocumentedStatesAreKnownConstants(String value) {
        EventState state = EventState.of(value);

        assertTrue(state.isKnown());
        assertEquals(value, state.value());
        assertSame(state, EventState.of(value.toUpperCase()));
    }

    @Test
    void anUnknownValueIsKeptAsSentAndEqualByValue() {
        EventState state = EventState.of("Quarantined");

        assertFalse(state.isKnown());
        assertEquals("Quarantined", state.value());
        assertEquals("Quarantined", state.toString());
        assertEquals(state, EventState.of("Quarantined"));
        assertEquals(state.hashCode(), EventState.of("Quarantined").hashCode());
        assertNotEquals(state, EventState.FAILURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t"})
    void aBlankValueIsRefused(String blank) {
        assertThrows(IllegalArgumentException.class, () -> EventState.of(blank));
        assertThrows(NullPointerException.class, () -> EventState.of(null));
    }
}
