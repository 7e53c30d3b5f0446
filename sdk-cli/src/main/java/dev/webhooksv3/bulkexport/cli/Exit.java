package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.AuthenticationException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.ExportWaitTimeoutException;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RateLimitedException;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.TransportException;
import java.nio.file.FileSystemException;

/**
 * The exit codes, as documented in {@code --help}, and which failure gets which. A failure is
 * classified by the first cause in its chain that says more than "a step failed", so a recovery
 * stopped by a 401 exits 3 like a {@code list} refused with 401.
 */
final class Exit {

    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final int AUTHENTICATION = 3;
    static final int NOT_FOUND_OR_CONFLICT = 4;
    static final int TRANSIENT = 5;
    /** 128 + SIGINT, the code a shell gives a program stopped by Ctrl-C. */
    static final int STOPPED = 130;

    private Exit() {
    }

    static int of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            Integer code = classify(t);
            if (code != null) {
                return code;
            }
        }
        return FAILED;
    }

    private static Integer classify(Throwable t) {
        if (t instanceof WebhooksExport.UsageException || t instanceof IllegalArgumentException) {
            return USAGE; // the SDK's precondition messages name the bad value
        }
        if (t instanceof AuthenticationException) {
            return AUTHENTICATION;
        }
        if (t instanceof NotFoundException || t instanceof ConflictException) {
            return NOT_FOUND_OR_CONFLICT;
        }
        if (t instanceof TransportException transport) {
            // Not transient: a redirect refused for safety; local: a work directory or file that cannot be used.
            return transport.isTransient() && !(transport.getCause() instanceof FileSystemException) ? TRANSIENT
                    : FAILED;
        }
        if (t instanceof ServerException || t instanceof RateLimitedException
                || t instanceof ExportWaitTimeoutException) {
            return TRANSIENT;
        }
        if (t instanceof ApiException api) {
            return api.status() == 401 || api.status() == 403 ? AUTHENTICATION : FAILED;
        }
        return null;
    }

    /** What to do next, for a person reading the error; empty when the message says it all. */
    static String advice(Throwable failure, int code) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof RecoverCommand.ListenerFailing) {
                return ""; // its message says what to do
            }
            if (t instanceof ExportWaitTimeoutException timeout) {
                return "The export is still " + timeout.lastState() + ": wait again with webhooks-export await "
                        + timeout.exportId() + " (--timeout for longer), or check it with webhooks-export status "
                        + timeout.exportId() + ".";
            }
        }
        return switch (code) {
            case AUTHENTICATION -> "Check the client id and secret (WEBHOOKS_CLIENT_ID, WEBHOOKS_CLIENT_SECRET or the "
                    + "profile), the customer id, and that the client may use webhooks.";
            case TRANSIENT -> "The service or the network kept failing through every retry: run the same command "
                    + "again later; a recovery or download continues where it stopped.";
            default -> "";
        };
    }
}
