package dev.webhooksv3.bulkexport;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.Locale;

/**
 * The service answered 409 Conflict: another export is active ({@link #isTooManyActiveExports()}),
 * the job can no longer be canceled, or its file is not ready.
 */
public class ConflictException extends ApiException {

    private static final long serialVersionUID = 1L;

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
     */
    public ConflictException(String method, String path, int status, String title, String details,
            HttpHeaders headers, String bodyExcerpt, Duration retryAfter) {
        super(method, path, status, title, details, headers, bodyExcerpt, retryAfter);
    }

    /**
     * Tells whether the conflict is "Too many active exports": another export job is running,
     * and a new one can start when it ends.
     *
     * @return whether a start was refused because a job is active
     */
    public boolean isTooManyActiveExports() {
        return details().map(d -> d.toLowerCase(Locale.ROOT).contains("too many active exports")).orElse(false);
    }
}
