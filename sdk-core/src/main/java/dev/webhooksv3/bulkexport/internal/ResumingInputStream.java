package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The decoded bytes of a download, continuing with {@code Range: bytes=N-} whenever the connection
 * drops or the body ends short, so that the reader sees every byte exactly once.
 *
 * <p>The first request accepts {@code gzip}; positions always count decoded bytes, and every
 * resume asks for the unencoded representation ({@code Accept-Encoding: identity}), whose byte
 * offsets are the decoded ones: a range over gzip bytes would only be right if the server
 * compressed byte-for-byte identically again. {@code If-Range} carries the validator (ETag, else
 * Last-Modified) of an unencoded response. A server that ignores the range (200 instead of 206)
 * is read again from the start and the bytes already delivered are skipped, unless its validator
 * changed: then the content changed, and {@link ContentChangedException} says to start over.
 * Consecutive failures without progress are bounded by the retry policy's attempts.
 */
final class ResumingInputStream extends InputStream {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    /** The file changed on the server since the bytes already received were sent. */
    static final class ContentChangedException extends BulkExportException {
        private static final long serialVersionUID = 1L;

        ContentChangedException(String message) {
            super(message, null);
        }
    }

    private final Transport transport;
    private final ApiRequest request;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;
    private InputStream body;
    private long position;
    private long total = -1;
    private String validator;
    private int requests;
    private int resumes;
    private int failuresWithoutProgress;
    private boolean closed;

    /**
     * Opens the download at {@code startAt} (0, or the size of a partial file).
     *
     * @param knownValidator the validator the partial file was downloaded under, or null
     */
    ResumingInputStream(Transport transport, ApiRequest request, long startAt, String knownValidator,
                        RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.transport = transport;
        this.request = request;
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.position = startAt;
        this.validator = knownValidator;
        try {
            openAt(startAt);
        } catch (IOException e) {
            throw new TransportException(request.describe() + " failed: " + e.getMessage(), e);
        }
    }

    private void openAt(long from) throws IOException {
        ApiRequest ranged = request;
        if (from > 0 || requests > 0) {
            ranged = ranged.withHeader("Accept-Encoding", "identity");
        }
        if (from > 0) {
            ranged = ranged.withHeader("Range", "bytes=" + from + "-");
            if (validator != null) {
                ranged = ranged.withHeader("If-Range", validator);
            }
        }
        Exchange exchange = transport.exchange(ranged);
        requests++;
        int status = exchange.status();
        if (status == 416 && from > 0) {
            Optional<Long> size = exchange.headers().firstValue("Content-Range").map(UNSATISFIED_RANGE::matcher)
                    .filter(Matcher::matches).map(m -> Long.parseLong(m.group(1)));
            exchange.close();
            if (size.isPresent() && size.get() == from) {
                total = from;
                body = InputStream.nullInputStream();
                return;
            }
            throw new ContentChangedException(request.describe() + " refused the range from byte " + from
                    + " (416): the file is shorter than what was already received");
        }
        if (status != 200 && status != 206) {
            throw Errors.toException(exchange, clock);
        }
        String type = exchange.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        if (type.startsWith("text/html")) {
            // An HTML page (a proxy's or a login page) saved as the export would be read as malformed lines and
            // the events lost: refuse it.
            byte[] head = exchange.body().readNBytes(Errors.EXCERPT_CHARS);
            exchange.close();
            throw Errors.unreadable(exchange, head, "the download answered " + type + ", not NDJSON", true);
        }
        String encoding = exchange.headers().firstValue("Content-Encoding").orElse("identity")
                .toLowerCase(Locale.ROOT);
        String newValidator = exchange.headers().firstValue("ETag")
                .or(() -> exchange.headers().firstValue("Last-Modified")).orElse(null);
        if (status == 206) {
            Matcher range = exchange.headers().firstValue("Content-Range").map(CONTENT_RANGE::matcher)
                    .filter(Matcher::matches).orElse(null);
            if (range == null || Long.parseLong(range.group(1)) != from || !encoding.equals("identity")) {
                exchange.close();
                throw new BulkExportException(request.describe() + " answered 206 with Content-Range "
                        + exchange.headers().firstValue("Content-Range").orElse("<none>") + " and Content-Encoding "
                        + encoding + " to a request for bytes " + from + "-", null);
            }
            total = range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3));
            body = exchange.body();
        } else {
            if (from > 0 && validator != null && newValidator != null && !validator.equals(newValidator)) {
                exchange.close();
                throw new ContentChangedException(request.describe() + " changed since byte " + from + " was received "
                        + "(validator " + validator + " became " + newValidator + ")");
            }
            total = encoding.equals("identity") ? exchange.headers().firstValueAsLong("Content-Length").orElse(-1) : -1;
            body = decoded(exchange, encoding);
            if (from > 0) {
                body.skipNBytes(from);
            }
        }
        if (encoding.equals("identity") && newValidator != null) {
            validator = newValidator;
        }
    }

    private InputStream decoded(Exchange exchange, String encoding) throws IOException {
        switch (encoding) {
            case "identity":
                return exchange.body();
            case "gzip":
            case "x-gzip":
                try {
                    return new BoundedGzipInputStream(exchange.body());
                } catch (IOException notGzip) {
                    exchange.close();
                    throw notGzip;
                }
            default:
                exchange.close();
                throw new BulkExportException(request.describe() + " answered with Content-Encoding \"" + encoding
                        + "\", which this SDK cannot decode", null);
        }
    }

    /** The validator (ETag or Last-Modified) of the unencoded file, or null. */
    String validator() {
        return validator;
    }

    /** The file's size when the server told it (unencoded responses only), else -1. */
    long total() {
        return total;
    }

    int requests() {
        return requests;
    }

    int resumes() {
        return resumes;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (true) {
            if (closed) {
                throw new IOException("download stream is closed");
            }
            IOException failure;
            try {
                int n = body.read(b, off, len);
                if (n > 0) {
                    position += n;
                    failuresWithoutProgress = 0;
                    return n;
                }
                if (n < 0 && (total < 0 || position == total)) {
                    return -1;
                }
                if (n < 0 && position > total) {
                    throw new BulkExportException(request.describe() + " sent " + position + " bytes, more than the "
                            + total + " it announced", null);
                }
                failure = new EOFException("body ended at byte " + position + " of " + total);
            } catch (BoundedGzipInputStream.BombException bomb) {
                throw bomb;
            } catch (IOException e) {
                failure = e;
            }
            resume(failure);
        }
    }

    /** Reconnects at the current position, backing off; bounded by attempts without progress. */
    private void resume(IOException failure) {
        IOException last = failure;
        while (true) {
            closeBody();
            failuresWithoutProgress++;
            if (failuresWithoutProgress >= policy.maxAttempts()) {
                throw new TransportException(request.describe() + " broke at byte " + position + " and could not be "
                        + "resumed after " + failuresWithoutProgress + " attempt(s) without progress: "
                        + last.getMessage(), last);
            }
            Duration backoff = policy.initialBackoff().multipliedBy(1L << Math.min(failuresWithoutProgress - 1, 10));
            try {
                sleeper.sleep(backoff.compareTo(policy.maxBackoff()) < 0 ? backoff : policy.maxBackoff());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new BulkExportException(request.describe() + " was interrupted while resuming at byte "
                        + position, e);
            }
            resumes++;
            try {
                openAt(position);
                return;
            } catch (IOException e) {
                last = e;
            }
        }
    }

    private void closeBody() {
        try {
            body.close();
        } catch (IOException ignored) {
            // The connection is dropped either way.
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            closeBody();
        }
    }
}
