package dev.webhooksv3.bulkexport;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The service answered 409 Conflict to a redelivery: the event is not failed (it was delivered,
 * or is already scheduled again), or the subscription is disabled. {@link #reason()} tells which,
 * read from the error's title and details.
 */
public final class RedeliveryRefusedException extends ConflictException {

    private static final long serialVersionUID = 1L;

    /** Why the service refused a redelivery. */
    public enum Reason {
        /** The event is not in state {@code failure}: delivered, or already waiting for an attempt. */
        EVENT_NOT_FAILED,
        /** The subscription is disabled: nothing is delivered until it is enabled again. */
        SUBSCRIPTION_DISABLED,
        /** A reason this SDK does not recognise; {@link #details()} has the service's words. */
        OTHER
    }

    /** The event whose redelivery was refused. */
    private final String eventId;

    /**
     * Creates an exception; see {@link ApiException#ApiException}.
     *
     * @param method the HTTP method of the call
     * @param path the path of the call, without its query
     * @param status the HTTP status
     * @param title the error title from the body; may be null
     * @param details the error details from the body; may be null
     * @param headers the response headers
     * @param bodyExcerpt the first characters of the body; may be empty
     * @param retryAfter the wait the service asked for with {@code Retry-After}; may be null
     * @param eventId the event whose redelivery was refused
     */
    public RedeliveryRefusedException(String method, String path, int status, String title, String details,
            HttpHeaders headers, String bodyExcerpt, Duration retryAfter, String eventId) {
        super(method, path, status, title, details, headers, bodyExcerpt, retryAfter);
        this.eventId = Objects.requireNonNull(eventId, "eventId");
    }

    /**
     * Returns the event whose redelivery was refused.
     *
     * @return the event id
     */
    public String eventId() {
        return eventId;
    }

    /**
     * Returns why the service refused, as far as its title and details tell: a mention of the
     * subscription being disabled or inactive is {@link Reason#SUBSCRIPTION_DISABLED}, a mention of
     * the event's state or of it not being failed is {@link Reason#EVENT_NOT_FAILED}.
     *
     * @return the reason; {@link Reason#OTHER} when the words match neither
     */
    public Reason reason() {
        String text = (title().orElse("") + " " + details().orElse("")).toLowerCase(Locale.ROOT);
        if (text.contains("subscription") && (text.contains("disabled") || text.contains("inactive")
                || text.contains("not active") || text.contains("paused"))) {
            return Reason.SUBSCRIPTION_DISABLED;
        }
        if (text.contains("state") || text.contains("not failed") || text.contains("failure")) {
            return Reason.EVENT_NOT_FAILED;
        }
        return Reason.OTHER;
    }
}
