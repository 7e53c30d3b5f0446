package dev.webhooksv3.bulkexport;

import java.util.Objects;

/**
 * An {@link EventHandler} refusing an event for good: retrying would fail the same way, such as a
 * listener's RFC 8935 {@code 400 {"err":"invalid_key",…}}. Thrown by {@link ListenerDelivery}, and
 * free for any handler to throw.
 *
 * <p>A recovery with dead letters ({@link RecoveryRequest#withDeadLettersAfter(int)} of 1 or more)
 * writes the event to the dead-letter file at once, with this exception's message as the reason,
 * without the remaining attempts; a recovery without dead letters stops at it, as at any other
 * exception of the handler.
 */
public final class EventRejectedException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    /** Why the event was refused, without the event's place. */
    private final String reason;

    /**
     * Creates an exception.
     *
     * @param message what was refused and where, with the reason
     * @param reason why, in short, such as {@code "invalid_key: unknown signing key"}
     * @param cause the underlying failure; may be null
     */
    public EventRejectedException(String message, String reason, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /**
     * Returns why the event was refused: for a listener's RFC 8935 answer its {@code err} and
     * {@code description} ({@code "invalid_key: unknown signing key"}), for another status the status
     * and the start of the body ({@code "HTTP 404: …"}).
     *
     * @return the reason, never null
     */
    public String reason() {
        return reason;
    }
}
