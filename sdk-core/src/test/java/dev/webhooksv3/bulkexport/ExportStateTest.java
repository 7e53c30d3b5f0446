package dev.webhooksv3.bulkexport;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExportStateTest {

    @Test
    void processingIsTheKnownNonTerminalState() {
        ExportState state = ExportState.of("processing");

        assertSame(ExportState.PROCESSING, state);
        assertFalse(state.isTerminal());
        assertTrue(state.isKnown());
        assertEquals("processing", state.value());
    }

    @ParameterizedTest
    @ValueSource(strings = {"completed", "canceled", "failed"})
    void completedCanceledAndFailedAreKnownAndTerminal(String value) {
        ExportState state = ExportState.of(value);

        assertTrue(state.isTerminal());
        assertTrue(state.isKnown());
        assertEquals(value, state.value());
    }

    @Test
    void britishCancelledInAnyCaseMapsToCanceled() {
        assertSame(ExportState.CANCELED, ExportState.of("CANCELLED"));
        assertSame(ExportState.CANCELED, ExportState.of("cancelled"));
    }

    @Test
    void knownValuesAreMatchedIgnoringCase() {
        assertSame(ExportState.PROCESSING, ExportState.of("Processing"));
        assertSame(ExportState.COMPLETED, ExportState.of("COMPLETED"));
    }

    @Test
    void unknownValueIsKeptAsSentAndTerminal() {
        ExportState state = ExportState.of("Archived");

        assertEquals("Archived", state.value());
        assertEquals("Archived", state.toString());
        assertFalse(state.isKnown());
        assertTrue(state.isTerminal());
    }

    @Test
    void statesAreEqualByValue() {
        assertEquals(ExportState.of("archived"), ExportState.of("archived"));
        assertEquals(ExportState.of("archived").hashCode(), ExportState.of("archived").hashCode());
        assertNotEquals(ExportState.of("archived"), ExportState.of("expired"));
        assertNotEquals(ExportState.PROCESSING, ExportState.COMPLETED);
        assertEquals(ExportState.CANCELED, ExportState.of("canceled"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "\t\n"})
    void blankValueIsRefused(String blank) {
        assertThrows(IllegalArgumentException.class, () -> ExportState.of(blank));
    }

    @Test
    void nullValueIsRefused() {
        assertThrows(NullPointerException.class, () -> ExportState.of(null));
    }
}
