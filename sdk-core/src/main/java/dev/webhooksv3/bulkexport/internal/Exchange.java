package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpHeaders;

/**
 * A response: status, headers and a body stream that the receiver must close.
 *
 * @param request the request that was answered
 * @param uri the URI that answered (after redirects)
 * @param status the HTTP status
 * @param headers the response headers
 * @param body the body; already in memory unless the request was streaming
 */
record Exchange(ApiRequest request, URI uri, int status, HttpHeaders headers, InputStream body)
        implements AutoCloseable {

    /** Whether the status is 2xx. */
    boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    /** Reads the rest of an in-memory body. */
    byte[] bytes() {
        try (InputStream in = body) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes the body, releasing the connection; never throws. */
    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException ignored) {
            // Nothing left to release: the connection is dropped either way.
        }
    }
}
