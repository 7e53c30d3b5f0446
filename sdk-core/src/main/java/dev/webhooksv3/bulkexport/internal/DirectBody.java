package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * A response body whose buffers are written to a {@link Sink} as the client receives them, instead
 * of being read through a stream.
 *
 * <p>Why: {@code BodyHandlers.ofInputStream} hands the client's buffers to the reading thread one
 * at a time through a queue and copies each into the reader's array, which the file channel then
 * copies again; on loopback that halves the throughput of the client ({@code ofFile} writes in
 * {@code onNext} and is twice as fast). So, like {@code ofFile}, the buffers are written on the
 * client's thread and the next one is asked for only then, which bounds memory to one batch. No
 * buffer is asked for before {@link #drainTo}: the caller checks the headers (validator, range)
 * first, and closing the body instead cancels it unread.
 *
 * <p>The request timeout of the JDK client ends with the headers; {@link #drainTo} plays the part
 * of {@link StallGuard}: if no buffer arrives for that long, the body is cancelled and the drain
 * fails with an {@link HttpTimeoutException}, to be resumed like any broken connection. Only the
 * file path uses it: {@link #read} is refused.
 */
final class DirectBody extends InputStream implements HttpResponse.BodySubscriber<InputStream> {

    /** Where the bytes go; called on the HTTP client's thread, one batch at a time. */
    interface Sink {
        void write(ByteBuffer[] buffers) throws IOException;
    }

    private final long stallNanos;
    private final Object lock = new Object();
    private Flow.Subscription subscription;
    private Sink sink;
    private long skip;
    private long lastDataNanos;
    private IOException failure;
    private IOException sinkFailure;
    private boolean complete;
    private boolean stopped;

    private DirectBody(Duration stallTimeout) {
        this.stallNanos = stallTimeout.toNanos();
    }

    /** A handler giving a 200 or 206 without content coding a direct body, any other answer a stream. */
    static HttpResponse.BodyHandler<InputStream> handler(Duration stallTimeout) {
        return info -> writable(info) ? new DirectBody(stallTimeout) : HttpResponse.BodySubscribers.ofInputStream();
    }

    private static boolean writable(HttpResponse.ResponseInfo info) {
        String encoding = info.headers().firstValue("Content-Encoding").orElse("identity").toLowerCase(Locale.ROOT);
        String type = info.headers().firstValue("Content-Type").orElse("").toLowerCase(Locale.ROOT);
        // An HTML page is refused after reading its start, and a gzip body is decoded: both as streams.
        return (info.statusCode() == 200 || info.statusCode() == 206) && encoding.equals("identity")
                && !type.startsWith("text/html");
    }

    /**
     * Writes the body to {@code sink}, after skipping what {@link #skip} asked to, and returns when it
     * ended; {@code tick} runs on the caller's thread at least every {@code tickEvery} meanwhile.
     *
     * @throws IOException if the connection broke or stalled (the bytes written so far stay written)
     * @throws UncheckedIOException if the sink failed: not a network failure, not worth resuming
     */
    void drainTo(Sink target, Duration tickEvery, Runnable tick) throws IOException {
        Flow.Subscription start;
        synchronized (lock) {
            if (sink != null || stopped) {
                throw new IOException("response body already drained or closed");
            }
            sink = target;
            lastDataNanos = System.nanoTime();
            start = subscription;
        }
        if (start != null) {
            start.request(1);
        }
        while (true) {
            synchronized (lock) {
                if (sinkFailure != null) {
                    throw new UncheckedIOException(sinkFailure);
                }
                if (complete) {
                    if (failure != null) {
                        throw failure;
                    }
                    return;
                }
                long idle = System.nanoTime() - lastDataNanos;
                if (idle >= stallNanos) {
                    stop();
                    throw new HttpTimeoutException("no data received for " + Duration.ofNanos(stallNanos)
                            + " while reading the response body");
                }
                try {
                    lock.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(tickEvery.toNanos(),
                            stallNanos - idle))));
                } catch (InterruptedException e) {
                    stop();
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted while downloading");
                }
            }
            tick.run();
        }
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        boolean draining;
        synchronized (lock) {
            if (stopped) {
                s.cancel();
                return;
            }
            subscription = s;
            draining = sink != null;
        }
        if (draining) {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        Flow.Subscription next;
        synchronized (lock) {
            if (stopped || complete) {
                return;
            }
            lastDataNanos = System.nanoTime();
            ByteBuffer[] buffers = items.toArray(ByteBuffer[]::new);
            for (ByteBuffer buffer : buffers) {
                int skipped = (int) Math.min(skip, buffer.remaining());
                buffer.position(buffer.position() + skipped);
                skip -= skipped;
            }
            try {
                sink.write(buffers);
            } catch (IOException | RuntimeException e) {
                sinkFailure = e instanceof IOException io ? io : new IOException(e);
                stop();
                lock.notifyAll();
                return;
            }
            next = subscription;
        }
        next.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        synchronized (lock) {
            complete = true;
            failure = throwable instanceof IOException io ? io : new IOException(throwable);
            lock.notifyAll();
        }
    }

    @Override
    public void onComplete() {
        synchronized (lock) {
            complete = true;
            lock.notifyAll();
        }
    }

    @Override
    public CompletionStage<InputStream> getBody() {
        return CompletableFuture.completedFuture(this);
    }

    /** Drops the next {@code n} bytes of the body (a 200 answering a range starts at byte 0). */
    @Override
    public long skip(long n) {
        synchronized (lock) {
            skip += Math.max(0, n);
        }
        return Math.max(0, n);
    }

    @Override
    public int read() throws IOException {
        throw new IOException("a direct body is written with drainTo, not read");
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        throw new IOException("a direct body is written with drainTo, not read");
    }

    /** Cancels the body unless it ended; no byte is written after this returns. */
    @Override
    public void close() {
        synchronized (lock) {
            if (!complete) {
                stop();
            }
        }
    }

    /** Called holding the lock: later buffers are dropped, and the connection is released. */
    private void stop() {
        stopped = true;
        if (subscription != null) {
            subscription.cancel();
        }
    }
}
