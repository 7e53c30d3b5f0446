package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The bytes of a download, continuing with {@code Range: bytes=N-} (and {@code If-Range} when the
 * server gave an ETag or Last-Modified) whenever the connection drops or the body ends short of
 * its announced length, so that the reader sees every byte exactly once.
 *
 * <p>A server that ignores the range (200 instead of 206) is read again from the start and the
 * bytes already delivered are skipped; if its validator changed, the file changed and the download
 * fails. Consecutive failures without progress are bounded by the retry policy's attempts. The
 * positions are those of the entity as sent (before any content decoding).
 */
final class ResumingInputStream extends InputStream {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/(\\d+)");

    private final Transport transport;
    private final ApiRequest request;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;
    private InputStream body;
    private long position;
    private long total = -1;
    private String validator;
    private String contentEncoding;
    private int requests;
    private int resumes;
    private int failuresWithoutProgress;
    private boolean closed;

    ResumingInputStream(Transport transport, ApiRequest request, long startAt, RetryPolicy policy, Sleeper sleeper,
                        Clock clock) {
        this.transport = transport;
        this.request = request;
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.position = startAt;
        try {
            openAt(startAt);
        } catch (IOException e) {
            throw new TransportException(request.describe() + " failed: " + e.getMessage(), e);
        }
    }

    private void openAt(long from) throws IOException {
        ApiRequest ranged = request;
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
            throw new BulkExportException(request.describe() + " refused the range from byte " + from
                    + " (416): the file is shorter than what was already received", null);
        }
        if (status != 200 && status != 206) {
            throw Errors.toException(exchange, clock);
        }
        String newValidator = exchange.headers().firstValue("ETag")
                .or(() -> exchange.headers().firstValue("Last-Modified")).orElse(null);
        String encoding = exchange.headers().firstValue("Content-Encoding").orElse("identity");
        if (contentEncoding == null) {
            contentEncoding = encoding;
        } else if (!contentEncoding.equalsIgnoreCase(encoding)) {
            exchange.close();
            throw new BulkExportException(request.describe() + " changed its Content-Encoding from " + contentEncoding
                    + " to " + encoding + " while resuming at byte " + from, null);
        }
        if (status == 206) {
            Matcher range = exchange.headers().firstValue("Content-Range").map(CONTENT_RANGE::matcher)
                    .filter(Matcher::matches).orElse(null);
            if (range == null || Long.parseLong(range.group(1)) != from) {
                exchange.close();
                throw new BulkExportException(request.describe() + " answered 206 with Content-Range "
                        + exchange.headers().firstValue("Content-Range").orElse("<none>") + " to a request for bytes "
                        + from + "-", null);
            }
            if (!range.group(3).equals("*")) {
                total = Long.parseLong(range.group(3));
            }
            body = exchange.body();
        } else {
            if (from > 0 && validator != null && newValidator != null && !validator.equals(newValidator)) {
                exchange.close();
                throw new BulkExportException(request.describe() + " changed while downloading (validator "
                        + validator + " became " + newValidator + "): start the download again", null);
            }
            total = exchange.headers().firstValueAsLong("Content-Length").orElse(-1);
            body = exchange.body();
            if (from > 0) {
                body.skipNBytes(from);
            }
        }
        if (validator == null) {
            validator = newValidator;
        }
    }

    /** The response's Content-Encoding ("identity" when none). */
    String contentEncoding() {
        return contentEncoding;
    }

    /** The entity's size when the server told it, else -1. */
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
            } catch (IOException e) {
                failure = e;
            }
            resume(failure);
        }
    }

    private void resume(IOException failure) throws IOException {
        closeBody();
        failuresWithoutProgress++;
        if (failuresWithoutProgress >= policy.maxAttempts()) {
            throw new TransportException(request.describe() + " broke at byte " + position + " and could not be resumed "
                    + "after " + failuresWithoutProgress + " attempt(s) without progress: " + failure.getMessage(), failure);
        }
        try {
            Duration backoff = policy.initialBackoff().multipliedBy(1L << Math.min(failuresWithoutProgress - 1, 10));
            sleeper.sleep(backoff.compareTo(policy.maxBackoff()) < 0 ? backoff : policy.maxBackoff());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException(request.describe() + " was interrupted while resuming", e);
        }
        resumes++;
        openAt(position);
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
