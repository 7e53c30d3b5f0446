package dev.webhooksv3.bulkexport;

/**
 * The root of every failure of a remote call made by this SDK; unchecked.
 *
 * <p>Subclasses: {@link ApiException} (the service answered with an error status) and its
 * subclasses, and {@link TransportException} (no usable answer). A call interrupted while it
 * waited throws this class itself, with the {@link InterruptedException} as cause and the
 * thread's interrupt flag set again. Messages never contain a token or secret.
 */
public class BulkExportException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception.
     *
     * @param message what failed and where
     * @param cause the underlying failure; may be null
     */
    public BulkExportException(String message, Throwable cause) {
        super(message, cause);
    }
}
