package dev.webhooksv3.bulkexport;

import java.util.Locale;
import java.util.Objects;

/**
 * The delivery state of an event in the subscription's event store: an open set of values.
 *
 * <p>The service documents four: {@link #AWAITING_EXECUTING}, {@link #AWAITING_RETRY},
 * {@link #SUCCESS} and {@link #FAILURE}. Any other value it sends is kept as it is (see
 * {@link #value()}) and never causes an error. Compare states with {@link #equals(Object)}.
 */
public final class EventState {

    /** The event waits for its first delivery attempt. */
    public static final EventState AWAITING_EXECUTING = new EventState("awaiting-executing");
    /** A delivery attempt failed and another is scheduled (also the state of a redelivered event). */
    public static final EventState AWAITING_RETRY = new EventState("awaiting-retry");
    /** The listener accepted the event. */
    public static final EventState SUCCESS = new EventState("success");
    /** Every attempt failed: the event can be redelivered or exported. */
    public static final EventState FAILURE = new EventState("failure");

    private final String value;

    private EventState(String value) {
        this.value = value;
    }

    /**
     * Returns the state for a value sent by the service: one of the constants when it names one
     * (ignoring case), otherwise a state that keeps the raw value.
     *
     * @param value the state as sent by the service
     * @return the matching state, never {@code null}
     * @throws IllegalArgumentException if {@code value} is blank
     */
    public static EventState of(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new IllegalArgumentException("event state must not be blank");
        }
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "awaiting-executing" -> AWAITING_EXECUTING;
            case "awaiting-retry" -> AWAITING_RETRY;
            case "success" -> SUCCESS;
            case "failure" -> FAILURE;
            default -> new EventState(value);
        };
    }

    /**
     * Returns the state's value as the service sent it, which is also how a query sends it.
     *
     * @return the raw value
     */
    public String value() {
        return value;
    }

    /**
     * Tells whether this is one of the four states the SDK knows.
     *
     * @return false for a value the service added after this SDK was built
     */
    public boolean isKnown() {
        return this == AWAITING_EXECUTING || this == AWAITING_RETRY || this == SUCCESS || this == FAILURE;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EventState state && state.value.equals(value);
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
