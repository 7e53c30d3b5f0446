package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One connection of a parallel download: fetches the chunks it is handed, each with
 * {@code Range: bytes=done-end} and the file's validator in {@code If-Range}, writing the body in
 * place into the part file, and resumes a chunk from where it got to when the connection breaks, as
 * {@link ResumingInputStream} does for the whole file: the same checks that every answer is of the
 * same version, the same fresh link when the storage origin refuses its pre-signed one (through
 * {@link DownloadLink}), the same bound on attempts without progress, counted per chunk.
 */
final class RangeFetch implements AutoCloseable {

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+)");
    /** How long a {@link DirectBody} drain waits between looks at its state; nothing to report here. */
    private static final Duration DRAIN_TICK = Duration.ofSeconds(1);
    private static final int STAGING_BYTES = 256 * 1024;

    private final DownloadLink link;
    private final ApiRequest download;
    private final RangeMap map;
    /**
     * The part file, through a channel of this connection's own: an interrupt during a call on a
     * channel closes it, and stopping this connection must not close the others' channel.
     */
    private final FileChannel part;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final Clock clock;
    private final AtomicInteger resumes;
    private final FileVersion version;
    private final Backoff backoff;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);

    /**
     * @param download the API's download request, already asking for the unencoded file as a
     *     direct body
     * @param part the part file, at the file's full length, written at each chunk's position
     * @param resumes counts every resume, shared by the connections
     * @throws IOException if the part file cannot be opened
     */
    RangeFetch(DownloadLink link, ApiRequest download, RangeMap map, Path part, RetryPolicy policy,
               Sleeper sleeper, Clock clock, AtomicInteger resumes) throws IOException {
        this.link = link;
        this.download = download;
        this.map = map;
        this.part = FileChannel.open(part, StandardOpenOption.WRITE);
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.resumes = resumes;
        this.version = new FileVersion(map.validator(), validator -> { });
        version.knownLength(map.length());
        this.backoff = new Backoff(policy);
    }

    /** A chunk as messages name it: "chunk 2 of 74 (bytes 8388608-16777215)". */
    String describe(int chunk) {
        return "chunk " + (chunk + 1) + " of " + map.count() + " (bytes " + map.start(chunk) + "-"
                + (map.end(chunk) - 1) + ")";
    }

    /**
     * Fetches the rest of a chunk.
     *
     * @param probe the answer to the download's first request, for the first bytes of this chunk,
     *     to be written before asking for the rest; or null
     * @throws IOException if the chunk broke and could not be resumed
     * @throws java.io.UncheckedIOException if the part file could not be written
     * @throws ResumingInputStream.ContentChangedException if the file changed on the server
     * @throws BulkExportException for an error answer, or if interrupted
     */
    void fetch(int chunk, Exchange probe) throws IOException {
        Exchange next = probe;
        int failuresWithoutProgress = 0;
        while (!map.complete(chunk)) {
            long from = map.done(chunk);
            boolean probing = next != null;
            IOException failure;
            try (Exchange exchange = probing ? next : open(chunk, from)) {
                next = null;
                failure = drain(chunk, exchange);
            }
            if (!(failure instanceof InterruptedIOException)) {
                written(chunk); // the body ended or broke: what arrived of it
            }
            if (map.complete(chunk) || probing && failure == null) {
                continue; // done, or the probe's few bytes were all it was asked for: not a resume
            }
            if (failure == null) {
                failure = new EOFException("body ended at byte " + map.done(chunk) + " of " + map.end(chunk));
            } else if (failure instanceof InterruptedIOException) {
                throw failure; // the download is being stopped
            }
            failuresWithoutProgress = map.done(chunk) > from ? 1 : failuresWithoutProgress + 1;
            if (failuresWithoutProgress >= policy.maxAttempts()) {
                throw new IOException(describe(chunk) + " broke at byte " + map.done(chunk) + " and could not be "
                        + "resumed after " + failuresWithoutProgress + " attempt(s) without progress: "
                        + failure.getMessage(), failure);
            }
            sleeper.pause(backoff.after(failuresWithoutProgress), "resuming " + describe(chunk) + " at byte "
                    + map.done(chunk));
            resumes.incrementAndGet();
        }
    }

    /** Writes the body into place; the failure to resume from, or null if the body ended. */
    private IOException drain(int chunk, Exchange exchange) {
        try {
            ((DirectBody) exchange.body()).drainTo(buffers -> write(chunk, buffers), DRAIN_TICK, () -> { });
            return null;
        } catch (IOException broken) {
            return broken;
        }
    }

    /** Asks for the chunk from {@code from} on, and checks that the answer is of the same file. */
    private Exchange open(int chunk, long from) throws IOException {
        ApiRequest ranged = download.withHeader("Range", "bytes=" + from + "-" + (map.end(chunk) - 1))
                .withHeader("If-Range", map.validator());
        return accepted(chunk, link.send(ranged, describe(chunk)), from);
    }

    /** The answer if it is the asked range of the same version; else closes it and says why not. */
    private Exchange accepted(int chunk, Exchange exchange, long from) throws IOException {
        int status = exchange.status();
        String where = download.describe() + " " + describe(chunk) + " changed since byte " + from + " was received";
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
                || Long.parseLong(answered.group(2)) >= map.end(chunk)) {
            exchange.close();
            throw new BulkExportException(download.describe() + " answered 206 with Content-Range "
                    + exchange.headers().firstValue("Content-Range").orElse("<none>") + " to a request for bytes "
                    + from + "-" + (map.end(chunk) - 1) + " of " + describe(chunk), null);
        }
        version.requireSame(exchange, Long.parseLong(answered.group(3)), where);
        return exchange;
    }

    /**
     * Takes one batch of the body (the client hands over one buffer of about 16 KiB at a time),
     * writing it at the chunk's position once {@value #STAGING_BYTES} bytes are staged in a direct
     * buffer, or the body ends: a heap buffer is copied into a temporary direct one by the channel
     * anyway, so one copy here turns many small writes into few system calls.
     */
    private void write(int chunk, ByteBuffer[] buffers) throws IOException {
        long at = map.done(chunk) + staging.position();
        long batch = 0;
        for (ByteBuffer buffer : buffers) {
            batch += buffer.remaining();
        }
        if (at + batch > map.end(chunk)) {
            throw new IOException(download.describe() + " sent more than the bytes asked for " + describe(chunk));
        }
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                int take = Math.min(buffer.remaining(), staging.remaining());
                ByteBuffer slice = buffer.slice().limit(take);
                staging.put(slice);
                buffer.position(buffer.position() + take);
                if (!staging.hasRemaining()) {
                    flush(chunk);
                }
            }
        }
    }

    /** Writes what is staged, after the body ended or broke. */
    private void written(int chunk) {
        try {
            flush(chunk);
        } catch (IOException disk) {
            throw new UncheckedIOException(disk);
        }
    }

    private void flush(int chunk) throws IOException {
        staging.flip();
        long position = map.done(chunk);
        while (staging.hasRemaining()) {
            position += part.write(staging, position);
        }
        staging.clear();
        map.advance(chunk, position);
    }

    @Override
    public void close() throws IOException {
        part.close();
    }
}
