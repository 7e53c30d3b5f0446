package dev.webhooksv3.bulkexport;

import java.net.http.HttpHeaders;
import java.time.Duration;

/**
 * The service answered with a 5xx status, after the retries the policy allows.
 */
public class ServerException extends ApiException {

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
    public ServerException(String method, String path, int status, String title, String details,
            HttpHeaders headers, String bodyExcerpt, Duration retryAfter) {
        super(method, path, status, title, details, headers, bodyExcerpt, retryAfter);
    }
}
