package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One range of a parallel download: asks for {@code Range: bytes=done-end} with the file's
 * validator in {@code If-Range}, writes the body in place into the part file, and resumes from
 * where it got to when the connection breaks, as {@link ResumingInputStream} does for the whole
 * file: the same checks that every answer is of the same version, the same fresh link when the
 * storage origin refuses its pre-signed one, the same bound on attempts without progress.
 */
final class RangeFetch {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    /** How long a {@link DirectBody} drain waits between looks at its state; nothing to report here. */
    private static final Duration DRAIN_TICK = Duration.ofSeconds(1);
    private static final int STAGING_BYTES = 256 * 1024;

    private final Transport transport;
    private final ApiRequest download;
    private final RangeMap map;
    private final int range;
    private final FileChannel part;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;
    private final AtomicInteger requests;
    private final AtomicInteger resumes;
    private final FileVersion version;
    private final Backoff backoff;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);

    /**
     * @param download the download request, already asking for the unencoded file as a direct body
     * @param requests counts every request sent, shared by the ranges
     * @param resumes counts every resume, shared by the ranges
     */
    RangeFetch(Transport transport, ApiRequest download, RangeMap map, int range, FileChannel part,
               RetryPolicy policy, Sleeper sleeper, Clock clock, AtomicInteger requests, AtomicInteger resumes) {
        this.transport = transport;
        this.download = download;
        this.map = map;
        this.range = range;
        this.part = part;
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.requests = requests;
        this.resumes = resumes;
        this.version = new FileVersion(map.validator(), validator -> { });
        version.knownLength(map.length());
        this.backoff = new Backoff(policy);
    }

    /** The range as messages name it: "range 2 of 4 (bytes 5000-9999)". */
    String describe() {
        return "range " + (range + 1) + " of " + map.count() + " (bytes " + map.start(range) + "-"
                + (map.end(range) - 1) + ")";
    }

    /**
     * Fetches the rest of the range.
     *
     * @param probe the answer to the download's first request, for the first bytes of this range,
     *     to be written before asking for the rest; or null
     * @throws IOException if the range broke and could not be resumed
     * @throws java.io.UncheckedIOException if the part file could not be written
     * @throws ResumingInputStream.ContentChangedException if the file changed on the server
     * @throws BulkExportException for an error answer, or if interrupted
     */
    void run(Exchange probe) throws IOException {
        Exchange next = probe;
        int failuresWithoutProgress = 0;
        while (!map.complete(range)) {
            long from = map.done(range);
            boolean probing = next != null;
            IOException failure;
            try (Exchange exchange = probing ? next : open(from)) {
                next = null;
                failure = drain(exchange);
            }
            if (map.complete(range) || probing && failure == null) {
                continue; // done, or the probe's few bytes were all it was asked for: not a resume
            }
            if (failure == null) {
                failure = new EOFException("body ended at byte " + map.done(range) + " of " + map.end(range));
            } else if (failure instanceof InterruptedIOException) {
                throw failure; // the download is being stopped
            }
            failuresWithoutProgress = map.done(range) > from ? 1 : failuresWithoutProgress + 1;
            if (failuresWithoutProgress >= policy.maxAttempts()) {
                throw new IOException(describe() + " broke at byte " + map.done(range) + " and could not be resumed"
                        + " after " + failuresWithoutProgress + " attempt(s) without progress: " + failure.getMessage(),
                        failure);
            }
            sleeper.pause(backoff.after(failuresWithoutProgress), "resuming " + describe() + " at byte "
                    + map.done(range));
            resumes.incrementAndGet();
        }
    }

    /** Writes the body into place; the failure to resume from, or null if the body ended. */
    private IOException drain(Exchange exchange) {
        try {
            ((DirectBody) exchange.body()).drainTo(this::write, DRAIN_TICK, () -> { });
            return null;
        } catch (IOException broken) {
            return broken;
        }
    }

    /** Asks for the range from {@code from} on, and checks that the answer is of the same file. */
    private Exchange open(long from) throws IOException {
        ApiRequest ranged = download.withHeader("Range", "bytes=" + from + "-" + (map.end(range) - 1))
                .withHeader("If-Range", map.validator());
        return accepted(send(transport, ranged, requests, describe()), from);
    }

    /**
     * Sends a range request, asking the API once more for a fresh link when the storage origin
     * refuses the pre-signed one (expired while we read).
     */
    static Exchange send(Transport transport, ApiRequest ranged, AtomicInteger requests, String what) {
        Exchange exchange = transport.exchange(ranged);
        requests.incrementAndGet();
        if ((exchange.status() == 401 || exchange.status() == 403)
                && !Origins.sameOrigin(exchange.uri(), exchange.request().uri())) {
            LOG.info("{} {}: the storage origin refused the download link ({}); asking the API for a fresh one",
                    ranged.describe(), what, exchange.status());
            exchange.close();
            exchange = transport.exchange(ranged);
            requests.incrementAndGet();
        }
        return exchange;
    }

    /** The answer if it is the asked range of the same version; else closes it and says why not. */
    private Exchange accepted(Exchange exchange, long from) throws IOException {
        int status = exchange.status();
        String where = download.describe() + " " + describe() + " changed since byte " + from + " was received";
        if (status == 200 || status == 416) {
            // If-Range sends the whole file when the validator no longer matches; a 416, that it shrank.
            exchange.close();
            throw new ResumingInputStream.ContentChangedException(where + " (answered " + status + " to a range "
                    + "request with If-Range " + map.validator() + ": it changed, or no longer honours ranges)");
        }
        if (status != 206) {
            throw Errors.toException(exchange, clock);
        }
        if (!(exchange.body() instanceof DirectBody)) {
            // Only an HTML page or a content coding is not handed over as a direct body.
            byte[] head = exchange.body().readNBytes(Errors.EXCERPT_CHARS);
            exchange.close();
            throw Errors.unreadable(exchange, head, "a range of the download answered "
                    + exchange.headers().firstValue("Content-Type").orElse("?") + " with Content-Encoding "
                    + exchange.headers().firstValue("Content-Encoding").orElse("identity").toLowerCase(Locale.ROOT)
                    + ", not the file's bytes", true);
        }
        Matcher answered = exchange.headers().firstValue("Content-Range").map(CONTENT_RANGE::matcher)
                .filter(Matcher::matches).orElse(null);
        if (answered == null || Long.parseLong(answered.group(1)) != from
                || Long.parseLong(answered.group(2)) >= map.end(range)) {
            exchange.close();
            throw new BulkExportException(download.describe() + " answered 206 with Content-Range "
                    + exchange.headers().firstValue("Content-Range").orElse("<none>") + " to a request for bytes "
                    + from + "-" + (map.end(range) - 1) + " of " + describe(), null);
        }
        version.requireSame(exchange, Long.parseLong(answered.group(3)), where);
        return exchange;
    }

    /**
     * Writes one batch of the body at the range's position, through a direct buffer: a positional
     * write has no gathering form, and a heap buffer is copied into a temporary direct one by the
     * channel anyway, so one copy here turns a batch of small buffers into few system calls.
     */
    private void write(ByteBuffer[] buffers) throws IOException {
        long at = map.done(range);
        long batch = 0;
        for (ByteBuffer buffer : buffers) {
            batch += buffer.remaining();
        }
        if (at + batch > map.end(range)) {
            throw new IOException(download.describe() + " sent more than the bytes asked for " + describe());
        }
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                int take = Math.min(buffer.remaining(), staging.remaining());
                ByteBuffer slice = buffer.slice().limit(take);
                staging.put(slice);
                buffer.position(buffer.position() + take);
                if (!staging.hasRemaining()) {
                    at = flush(at);
                }
            }
        }
        flush(at);
    }

    private long flush(long at) throws IOException {
        staging.flip();
        long position = at;
        while (staging.hasRemaining()) {
            position += part.write(staging, position);
        }
        staging.clear();
        map.advance(range, position);
        return position;
    }
}
