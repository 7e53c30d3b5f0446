package dev.webhooksv3.bulkexport.testkit;

import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link FakeListener} does with one valid delivery when a test says so: accept it, refuse
 * it with a status, or drop the connection. Used in {@link FakeListener.Builder#script scripts} and
 * {@link FakeListener.Builder#mix mixes}; immutable, with value equality.
 *
 * <p>The answers and what a transmitter should make of them (RFC 8935, and the service's own rule:
 * a 5xx is retried):
 * <table>
 * <caption>Answers</caption>
 * <tr><th>answer</th><th>on the wire</th><th>meaning</th></tr>
 * <tr><td>{@link #accept()}</td><td>the listener's success status (202 by default), no body</td>
 *     <td>done</td></tr>
 * <tr><td>{@link #reject(String)}</td><td>400 {@code {"err":…,"description":…}}</td>
 *     <td>refused for good: do not retry</td></tr>
 * <tr><td>{@link #tooManyRequests(Duration)}</td><td>429 with {@code Retry-After}</td>
 *     <td>retry after the pause</td></tr>
 * <tr><td>{@link #unavailable()}</td><td>503</td><td>retry</td></tr>
 * <tr><td>{@link #status(int)}</td><td>that status</td><td>as the status says</td></tr>
 * <tr><td>{@link #reset()}</td><td>the connection closes without an answer</td>
 *     <td>unknown: the event was not taken</td></tr>
 * <tr><td>{@link #acceptThenReset()}</td><td>likewise</td>
 *     <td>unknown: the event <em>was</em> taken, so a retry makes a duplicate</td></tr>
 * </table>
 */
public final class ListenerAnswer {

    enum Kind { ACCEPT, STATUS, RESET, ACCEPT_THEN_RESET }

    private static final ListenerAnswer ACCEPT = new ListenerAnswer(Kind.ACCEPT, 0, null, -1);
    private static final ListenerAnswer UNAVAILABLE = new ListenerAnswer(Kind.STATUS, 503, null, -1);
    private static final ListenerAnswer RESET = new ListenerAnswer(Kind.RESET, 0, null, -1);
    private static final ListenerAnswer ACCEPT_THEN_RESET = new ListenerAnswer(Kind.ACCEPT_THEN_RESET, 0, null, -1);

    private final Kind kind;
    private final int status;
    private final String err;
    private final long retryAfterSeconds;

    private ListenerAnswer(Kind kind, int status, String err, long retryAfterSeconds) {
        this.kind = kind;
        this.status = status;
        this.err = err;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /**
     * Returns the answer that accepts the delivery with the listener's
     * {@linkplain FakeListener.Builder#successStatus(int) success status} and journals its {@code jti}.
     *
     * @return the answer
     */
    public static ListenerAnswer accept() {
        return ACCEPT;
    }

    /**
     * Returns a 400 refusal with an RFC 8935 error code in the body, such as {@code invalid_request},
     * {@code invalid_key}, {@code invalid_issuer}, {@code invalid_audience},
     * {@code authentication_failed} or {@code access_denied} (any other code is sent as given).
     *
     * @param err the error code: letters, digits and {@code '_'}
     * @return the answer
     * @throws IllegalArgumentException if the code is empty or has other characters
     */
    public static ListenerAnswer reject(String err) {
        Objects.requireNonNull(err, "err");
        if (!err.matches("[A-Za-z0-9_]+")) {
            throw new IllegalArgumentException("err must be letters, digits and '_', such as invalid_key: \""
                    + err + "\"");
        }
        return new ListenerAnswer(Kind.STATUS, 400, err, -1);
    }

    /**
     * Returns a 429 with {@code Retry-After} in whole seconds (rounded up).
     *
     * @param retryAfter zero or positive
     * @return the answer
     * @throws IllegalArgumentException if negative
     */
    public static ListenerAnswer tooManyRequests(Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative: " + retryAfter);
        }
        long seconds = retryAfter.getSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
        return new ListenerAnswer(Kind.STATUS, 429, null, seconds);
    }

    /**
     * Returns a 503 Service Unavailable, without {@code Retry-After}.
     *
     * @return the answer
     */
    public static ListenerAnswer unavailable() {
        return UNAVAILABLE;
    }

    /**
     * Returns an answer with this error status and a JSON body that names it; a 400 carries
     * {@code "err":"invalid_request"}, other statuses no {@code err} and no extra header (a 429
     * without {@code Retry-After}: use {@link #tooManyRequests(Duration)} for one).
     *
     * @param status from 400 to 599
     * @return the answer
     * @throws IllegalArgumentException if not an error status
     */
    public static ListenerAnswer status(int status) {
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("status must be an error status from 400 to 599: " + status);
        }
        return new ListenerAnswer(Kind.STATUS, status, status == 400 ? "invalid_request" : null, -1);
    }

    /**
     * Returns the answer that closes the connection without a response, after reading the
     * request; the event is not journaled as accepted. A {@code java.net.http} client gets an
     * {@code IOException}.
     *
     * @return the answer
     */
    public static ListenerAnswer reset() {
        return RESET;
    }

    /**
     * Returns the answer that journals the event as accepted, then closes the connection without
     * a response, as a listener that crashed or timed out after storing it: the transmitter cannot
     * tell this from {@link #reset()}, and its retry shows up in {@link ListenerJournal#duplicates()}.
     *
     * @return the answer
     */
    public static ListenerAnswer acceptThenReset() {
        return ACCEPT_THEN_RESET;
    }

    Kind kind() {
        return kind;
    }

    /** The status of a {@link Kind#STATUS} answer. */
    int statusCode() {
        return status;
    }

    /** The RFC 8935 error code, or null. */
    String err() {
        return err;
    }

    /** The {@code Retry-After} seconds, or -1 for none. */
    long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListenerAnswer other && other.kind == kind && other.status == status
                && Objects.equals(other.err, err) && other.retryAfterSeconds == retryAfterSeconds;
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, status, err, retryAfterSeconds);
    }

    /**
     * Returns the answer as a test report shows it: {@code accept}, {@code 400 invalid_key},
     * {@code 429 Retry-After: 2}, {@code 503}, {@code reset} or {@code accept-then-reset}.
     */
    @Override
    public String toString() {
        switch (kind) {
            case ACCEPT:
                return "accept";
            case RESET:
                return "reset";
            case ACCEPT_THEN_RESET:
                return "accept-then-reset";
            default:
                return status + (err != null ? " " + err : "")
                        + (retryAfterSeconds >= 0 ? " Retry-After: " + retryAfterSeconds : "");
        }
    }
}
