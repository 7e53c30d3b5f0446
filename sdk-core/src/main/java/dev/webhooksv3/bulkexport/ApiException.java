package dev.webhooksv3.bulkexport;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The service answered a call with a status the call does not accept.
 *
 * <p>Error bodies in the service's shape ({@code {"status","title","details"}}) and in RFC 7807
 * shape ({@code detail}) are both read. The message shows the method, the path (never the query,
 * which may hold a signature), the status, the title and details and a short excerpt of the body.
 * Subclasses exist for the statuses callers branch on.
 */
public class ApiException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    /** The HTTP method of the failed call. */
    private final String method;
    /** The path of the failed call, without its query. */
    private final String path;
    /** The HTTP status. */
    private final int status;
    /** The error title from the body, or null. */
    private final String title;
    /** The error details from the body, or null. */
    private final String details;
    /** The response headers (not serialized). */
    private final transient HttpHeaders headers;
    /** The first characters of the body. */
    private final String bodyExcerpt;
    /** The wait asked for with {@code Retry-After}, or null. */
    private final Duration retryAfter;

    /**
     * Creates an exception.
     *
     * @param method the HTTP method of the call
     * @param path the path of the call, without its query
     * @param status the HTTP status
     * @param title the error title from the body; may be null
     * @param details the error details from the body; may be null
     * @param headers the response headers
     * @param bodyExcerpt the first characters of the body; may be empty
     * @param retryAfter the wait the service asked for with {@code Retry-After}; may be null
     */
    public ApiException(String method, String path, int status, String title, String details,
                        HttpHeaders headers, String bodyExcerpt, Duration retryAfter) {
        super(describe(method, path, status, title, details, bodyExcerpt), null);
        this.method = Objects.requireNonNull(method, "method");
        this.path = Objects.requireNonNull(path, "path");
        this.status = status;
        this.title = title;
        this.details = details;
        this.headers = Objects.requireNonNull(headers, "headers");
        this.bodyExcerpt = bodyExcerpt == null ? "" : bodyExcerpt;
        this.retryAfter = retryAfter;
    }

    private static String describe(String method, String path, int status, String title, String details,
                                   String excerpt) {
        StringBuilder text = new StringBuilder().append(method).append(' ').append(path)
                .append(" answered ").append(status);
        if (title != null) {
            text.append(' ').append(title);
        }
        if (details != null) {
            text.append(": ").append(details);
        }
        if (excerpt != null && !excerpt.isEmpty()) {
            text.append(" (body: ").append(excerpt).append(')');
        }
        return text.toString();
    }

    /**
     * Returns the HTTP method of the failed call.
     *
     * @return the method
     */
    public String method() {
        return method;
    }

    /**
     * Returns the path of the failed call, without its query.
     *
     * @return the path
     */
    public String path() {
        return path;
    }

    /**
     * Returns the HTTP status.
     *
     * @return the status
     */
    public int status() {
        return status;
    }

    /**
     * Returns the error title from the body.
     *
     * @return the title, or empty when the body had none
     */
    public Optional<String> title() {
        return Optional.ofNullable(title);
    }

    /**
     * Returns the error details from the body ({@code details} or {@code detail}).
     *
     * @return the details, or empty when the body had none
     */
    public Optional<String> details() {
        return Optional.ofNullable(details);
    }

    /**
     * Returns the response headers.
     *
     * @return the headers
     */
    public HttpHeaders headers() {
        return headers;
    }

    /**
     * Returns the first characters of the response body (at most 256, on one line).
     *
     * @return the excerpt, possibly empty
     */
    public String bodyExcerpt() {
        return bodyExcerpt;
    }

    /**
     * Returns how long the service asked the client to wait ({@code Retry-After}).
     *
     * @return the wait, or empty when the response had no valid {@code Retry-After}
     */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
