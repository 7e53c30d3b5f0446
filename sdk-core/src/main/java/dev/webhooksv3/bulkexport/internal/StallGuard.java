package dev.webhooksv3.bulkexport.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds how long one read of a response body may wait for data.
 *
 * <p>The JDK client's request timeout ends when the headers arrive; a body that stalls afterwards
 * would block a reader forever. Each read of a guarded body arms a timer on one shared daemon
 * thread; if no data arrives in time the body is closed, which ends the blocked read, and the read
 * fails with an {@link HttpTimeoutException} (retried or resumed like any I/O failure).
 */
final class StallGuard {

    private static final ScheduledExecutorService WATCHDOG = watchdog();

    private StallGuard() {
    }

    private static ScheduledExecutorService watchdog() {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "webhooks-bulkexport-stall-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Wraps a body so that a read waiting longer than {@code timeout} for data fails. */
    static InputStream guard(InputStream body, Duration timeout) {
        return new Guarded(body, timeout.toNanos());
    }

    private static final class Guarded extends FilterInputStream {
        private final long timeoutNanos;
        private volatile boolean stalled;

        Guarded(InputStream in, long timeoutNanos) {
            super(in);
            this.timeoutNanos = timeoutNanos;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (stalled) {
                throw stall();
            }
            ScheduledFuture<?> timer = WATCHDOG.schedule(this::abort, timeoutNanos, TimeUnit.NANOSECONDS);
            try {
                int n = in.read(b, off, len);
                if (stalled) {
                    throw stall();
                }
                return n;
            } catch (IOException e) {
                if (stalled) {
                    throw stall();
                }
                throw e;
            } finally {
                timer.cancel(false);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] scratch = new byte[(int) Math.min(Math.max(n, 0), 64 * 1024)];
            int read = scratch.length == 0 ? 0 : read(scratch, 0, scratch.length);
            return Math.max(read, 0);
        }

        private void abort() {
            stalled = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // Closing is how the blocked read is ended; nothing else to do.
            }
        }

        private HttpTimeoutException stall() {
            return new HttpTimeoutException("no data received for " + Duration.ofNanos(timeoutNanos)
                    + " while reading the response body");
        }
    }
}
