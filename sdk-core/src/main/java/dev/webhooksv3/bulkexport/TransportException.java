package dev.webhooksv3.bulkexport;

import java.io.IOException;

/**
 * No usable answer reached the client: connection refused or reset, timeout, or a response
 * that broke off. The {@link IOException} is the cause.
 */
public class TransportException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message the call (method and path) and what went wrong
     * @param cause the I/O failure
     */
    public TransportException(String message, IOException cause) {
        super(message, cause);
    }

    /**
     * Whether the same call may succeed later: true for a network that failed (refused, reset,
     * timed out), false when it would fail the same way again (a redirect refused for safety, a
     * body over the size limit), which the client does not retry either.
     *
     * @return whether trying again later makes sense
     */
    public boolean isTransient() {
        return true;
    }
}
