package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;

/**
 * What a failed call says about whether the server acted on the request: the one classifier that
 * both the retry layer (may a POST be sent again?) and the export start (must the jobs be listed
 * for one this call made?) ask.
 */
enum Outcome {

    /** The connection was never made, or TLS never completed: the server never saw the request. */
    NOT_SENT,
    /** The server answered that it did not act on the request: 408, 429, 503. */
    NOT_PROCESSED,
    /** The request went out and the server may have acted on it: I/O after sending, 500/502/504, an unreadable 2xx. */
    UNKNOWN,
    /** The server answered, and the answer stands. */
    ANSWERED;

    static Outcome of(BulkExportException failure) {
        if (failure instanceof CallFailure call) {
            return call.outcome();
        }
        if (failure instanceof ApiException answered) {
            return ofStatus(answered.status());
        }
        // A TransportException raised above the HTTP layer (a broken download) was sent.
        return failure instanceof TransportException ? UNKNOWN : ANSWERED;
    }

    static Outcome ofStatus(int status) {
        if (status == 408 || status == 429 || status == 503) {
            return NOT_PROCESSED;
        }
        if (status == 500 || status == 502 || status == 504 || status >= 200 && status < 300) {
            // A 2xx that became a failure could not be read: the job (or whatever) was probably made.
            return UNKNOWN;
        }
        return ANSWERED;
    }

    /**
     * An I/O failure of one HTTP exchange, with what is known of its fate.
     */
    static final class CallFailure extends TransportException {
        private static final long serialVersionUID = 1L;

        private final transient Outcome outcome;
        private final boolean worthRetrying;

        /**
         * @param message the call and what went wrong
         * @param cause the I/O failure
         * @param outcome {@link #NOT_SENT} or {@link #UNKNOWN}
         * @param worthRetrying false when the same request would fail the same way (a body too
         *     large, a refused redirect)
         */
        CallFailure(String message, IOException cause, Outcome outcome, boolean worthRetrying) {
            super(message, cause);
            this.outcome = outcome;
            this.worthRetrying = worthRetrying;
        }

        Outcome outcome() {
            return outcome == null ? UNKNOWN : outcome;
        }

        /** False when the same request would fail the same way: the retry layer does not retry it either. */
        @Override
        public boolean isTransient() {
            return worthRetrying;
        }

        /** Shown as the type a caller knows and catches; this one only carries the retry layer's facts. */
        @Override
        public String toString() {
            return TransportException.class.getName() + ": " + getMessage();
        }
    }
}
