package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The decoded bytes of a download, continuing with {@code Range: bytes=N-} whenever the connection
 * drops or the body ends short, so that the reader sees every byte exactly once.
 *
 * <p>The first request accepts {@code gzip}; positions always count decoded bytes, and every
 * resume asks for the unencoded representation ({@code Accept-Encoding: identity}), whose byte
 * offsets are the decoded ones: a range over gzip bytes would only be right if the server
 * compressed byte-for-byte identically again. {@code If-Range} carries the validator (ETag, else
 * Last-Modified) of the first answer. Every later answer must be of the same file: same validator
 * (weakly compared) and same length, whether it is a 206 or a 200 whose start is skipped; if not,
 * {@link ContentChangedException} says to start over, and no byte of the new version is handed
 * out after bytes of the old. Consecutive failures without progress are bounded by the retry
 * policy's attempts; a storage origin refusing its pre-signed link is asked through the API once
 * more (a fresh link), then it is an error.
 */
final class ResumingInputStream extends InputStream {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
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
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Clock clock;
    private final FileVersion version;
    private InputStream body;
    private long position;
    private int requests;
    private int resumes;
    private int failuresWithoutProgress;
    private boolean closed;

    /**
     * Opens the download at {@code startAt} (0, or the size of a partial file).
     *
     * @param knownValidator the validator the partial file was downloaded under, or null
     * @param validatorListener told each validator the bytes that follow are received under, before
     *     any of them (a caller keeping a partial file stores it beside the file)
     */
    ResumingInputStream(Transport transport, ApiRequest request, long startAt, String knownValidator,
                        Consumer<String> validatorListener, RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.transport = transport;
        this.request = request;
        this.policy = policy;
        this.backoff = new Backoff(policy);
        this.sleeper = sleeper;
        this.clock = clock;
        this.version = new FileVersion(knownValidator, validatorListener);
        this.position = startAt;
        try {
            openAt(startAt);
        } catch (IOException e) {
            throw new TransportException(request.describe() + " failed: " + e.getMessage(), e);
        }
    }

    private ApiRequest rangeRequest(long from, long to) {
        ApiRequest ranged = request;
        if (from > 0 || to >= 0 || requests > 0) {
            ranged = ranged.withHeader("Accept-Encoding", "identity");
        }
        if (from > 0 || to >= 0) {
            ranged = ranged.withHeader("Range", "bytes=" + from + "-" + (to >= 0 ? to : ""));
            if (version.validator() != null) {
                ranged = ranged.withHeader("If-Range", version.validator());
            }
        }
        return ranged;
    }

    /**
     * Sends the request; a storage origin refusing its pre-signed link (expired while we read) is
     * asked for once more through the API, which hands out a fresh link.
     */
    private Exchange send(ApiRequest ranged) {
        Exchange exchange = transport.exchange(ranged);
        requests++;
        if (isRefusedLink(exchange)) {
            LOG.info("{}: the storage origin refused the download link ({}); asking the API for a fresh one",
                    request.describe(), exchange.status());
            exchange.close();
            exchange = transport.exchange(ranged);
            requests++;
        }
        return exchange;
    }

    private static boolean isRefusedLink(Exchange exchange) {
        return (exchange.status() == 401 || exchange.status() == 403)
                && !Origins.sameOrigin(exchange.uri(), exchange.request().uri());
    }

    private void openAt(long from) throws IOException {
        Exchange exchange = send(rangeRequest(from, -1));
        int status = exchange.status();
        if (status == 416 && from > 0) {
            Optional<Long> size = exchange.headers().firstValue("Content-Range").map(UNSATISFIED_RANGE::matcher)
                    .filter(Matcher::matches).map(m -> Long.parseLong(m.group(1)));
            exchange.close();
            long length = size.isPresent() ? size.get() : probeLength();
            if (length == from) {
                version.knownLength(from);
                body = InputStream.nullInputStream();
                return;
            }
            throw new ContentChangedException(request.describe() + " refused the range from byte " + from
                    + " (416): the file has " + length + " bytes, fewer than were already received");
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
        if (status == 206) {
            Matcher range = exchange.headers().firstValue("Content-Range").map(CONTENT_RANGE::matcher)
                    .filter(Matcher::matches).orElse(null);
            if (range == null || Long.parseLong(range.group(1)) != from || !encoding.equals("identity")) {
                exchange.close();
                throw new BulkExportException(request.describe() + " answered 206 with Content-Range "
                        + exchange.headers().firstValue("Content-Range").orElse("<none>") + " and Content-Encoding "
                        + encoding + " to a request for bytes " + from + "-", null);
            }
            version.requireSame(exchange, range.group(3).equals("*") ? -1 : Long.parseLong(range.group(3)),
                    changedSince(from));
            body = exchange.body();
        } else {
            long length = encoding.equals("identity")
                    ? exchange.headers().firstValueAsLong("Content-Length").orElse(-1) : -1;
            if (from > 0) {
                version.requireSame(exchange, length, changedSince(from));
            } else {
                version.adopt(exchange, length);
            }
            body = decoded(exchange, encoding);
            if (from > 0) {
                body.skipNBytes(from);
            }
        }
    }

    private String changedSince(long from) {
        return request.describe() + " changed since byte " + from + " was received";
    }

    /** The file's length when a 416 did not say it: asked with a one-byte range. */
    private long probeLength() {
        try (Exchange exchange = send(rangeRequest(0, 0))) {
            Matcher range = exchange.headers().firstValue("Content-Range").map(CONTENT_RANGE::matcher)
                    .filter(Matcher::matches).orElse(null);
            if (exchange.status() == 206 && range != null && !range.group(3).equals("*")) {
                version.requireSame(exchange, Long.parseLong(range.group(3)), changedSince(position));
                return Long.parseLong(range.group(3));
            }
            if (exchange.status() == 200 && exchange.headers().firstValueAsLong("Content-Length").isPresent()) {
                long length = exchange.headers().firstValueAsLong("Content-Length").getAsLong();
                version.requireSame(exchange, length, changedSince(position));
                return length;
            }
            throw new BulkExportException(request.describe() + " refused the range from byte " + position
                    + " (416) without saying the file's length, and a request for its first byte answered "
                    + exchange.status() + ": cannot tell whether the partial file is complete; it is kept", null);
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

    /** The file's size when the server told it (unencoded responses only), else -1. */
    long total() {
        return version.length();
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
                    advance(n);
                    return n;
                }
                if (n < 0 && complete()) {
                    return -1;
                }
                failure = endedShort();
            } catch (BoundedGzipInputStream.BombException bomb) {
                throw bomb;
            } catch (IOException e) {
                failure = e;
            }
            resume(failure);
        }
    }

    /** The current answer's body: a stream, or a {@link DirectBody} that the file path drains itself. */
    InputStream body() {
        return body;
    }

    /** Counts bytes taken from {@link #body()} without {@link #read} (a drained {@link DirectBody}). */
    void advance(long bytes) {
        if (bytes > 0) {
            position += bytes;
            failuresWithoutProgress = 0;
        }
    }

    /**
     * Whether a body that ended brought the whole file (or the server never said its length).
     *
     * @throws BulkExportException if it brought more than the length announced
     */
    boolean complete() {
        long total = version.length();
        if (total >= 0 && position > total) {
            throw new BulkExportException(request.describe() + " sent " + position + " bytes, more than the "
                    + total + " it announced", null);
        }
        return total < 0 || position == total;
    }

    /** Why to resume a body that ended before the length announced. */
    EOFException endedShort() {
        return new EOFException("body ended at byte " + position + " of " + version.length());
    }

    /** Reconnects at the current position, backing off; bounded by attempts without progress. */
    void resume(IOException failure) {
        IOException last = failure;
        while (true) {
            closeBody();
            failuresWithoutProgress++;
            if (failuresWithoutProgress >= policy.maxAttempts()) {
                throw new TransportException(request.describe() + " broke at byte " + position + " and could not be "
                        + "resumed after " + failuresWithoutProgress + " attempt(s) without progress: "
                        + last.getMessage(), last);
            }
            sleeper.pause(backoff.after(failuresWithoutProgress), "resuming " + request.describe() + " at byte "
                    + position);
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
