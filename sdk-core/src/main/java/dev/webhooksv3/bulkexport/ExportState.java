package dev.webhooksv3.bulkexport;

import java.util.Locale;
import java.util.Objects;

/**
 * The state of an export job: an open set of values.
 *
 * <p>The service documents {@code processing} and {@code canceled}; {@code completed} and
 * {@code failed} are the literals we expect for the other two. Any other value the service
 * sends is kept as it is (see {@link #value()}) and never causes an error. Every state except
 * {@link #PROCESSING} is terminal. Compare states with {@link #equals(Object)}.
 */
public final class ExportState {

    /** The job is still collecting events and writing the file. */
    public static final ExportState PROCESSING = new ExportState("processing");
    /** The file is written and can be downloaded. */
    public static final ExportState COMPLETED = new ExportState("completed");
    /** The job was canceled before it wrote the file; its events stay exportable. */
    public static final ExportState CANCELED = new ExportState("canceled");
    /** The job ended without a file. */
    public static final ExportState FAILED = new ExportState("failed");

    private final String value;

    private ExportState(String value) {
        this.value = value;
    }

    /**
     * Returns the state for a value sent by the service: one of the constants when it names
     * one (ignoring case), otherwise a state that keeps the raw value.
     *
     * @param value the state as sent by the service
     * @return the matching state, never {@code null}
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static ExportState of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("export state must not be blank");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "processing" -> PROCESSING;
            case "completed" -> COMPLETED;
            case "canceled", "cancelled" -> CANCELED;
            case "failed" -> FAILED;
            default -> new ExportState(value);
        };
    }

    /**
     * Returns the state's value as the service sent it.
     *
     * @return the raw value
     */
    public String value() {
        return value;
    }

    /**
     * Tells whether the job has stopped changing: true for every state but
     * {@link #PROCESSING}, including states this SDK does not know.
     *
     * @return whether the state is terminal
     */
    public boolean isTerminal() {
        return !equals(PROCESSING);
    }

    /**
     * Tells whether this is one of the four states the SDK knows.
     *
     * @return false for a value the service added after this SDK was built
     */
    public boolean isKnown() {
        return this == PROCESSING || this == COMPLETED || this == CANCELED || this == FAILED;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ExportState state && state.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
