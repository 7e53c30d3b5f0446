package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadProgress;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ranges of one download running at once: a small pool with a thread per unfinished range
 * ({@code webhooks-download-range-N}), while the calling thread follows the part file's complete
 * prefix with the SHA-256, reports progress summed over the ranges, and saves the {@link RangeMap}
 * at an interval. The first fatal error of a range stops the others (interrupting them), and so
 * does an interrupt of the calling thread; either way the map is saved once no range can write any
 * more, so that a later process continues each range where it stopped.
 */
final class ParallelFetch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
    /** Forcing the part file costs a flush of what was written since; a crash loses at most this much progress. */
    private static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(5);
    private static final int HASH_BUFFER = 1024 * 1024;
    /** At most this much is hashed between two looks at the progress and the errors. */
    private static final long HASH_STEP = 16L * 1024 * 1024;

    private final String exportId;
    private final RangeMap map;
    private final Path part;
    private final Path mapFile;
    private final FileChannel out;
    private final FileChannel in;
    private final ExecutorService pool;
    private final CountDownLatch finished;
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger resumes = new AtomicInteger();

    /**
     * Opens the part file, which has the file's full length already.
     *
     * @param exportId the export, for messages
     * @param part the part file
     * @param mapFile where the map is saved
     */
    ParallelFetch(String exportId, RangeMap map, Path part, Path mapFile) throws IOException {
        this.exportId = exportId;
        this.map = map;
        this.part = part;
        this.mapFile = mapFile;
        // The ranges write through `out`, the digest reads through `in`: an interrupt during a call on a
        // channel closes that channel, and must not close the one the ranges write to.
        this.out = FileChannel.open(part, StandardOpenOption.WRITE);
        this.in = FileChannel.open(part, StandardOpenOption.READ);
        int pending = 0;
        for (int i = 0; i < map.count(); i++) {
            pending += map.complete(i) ? 0 : 1;
        }
        this.finished = new CountDownLatch(pending);
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(Math.max(1, pending), task -> {
            Thread thread = new Thread(task, "webhooks-download-range-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** The channel the ranges write to. */
    FileChannel channel() {
        return out;
    }

    /** Counts every resume, shared by the ranges. */
    AtomicInteger resumes() {
        return resumes;
    }

    /**
     * Starts one unfinished range on a thread of its own.
     *
     * @param probe the answer with the range's first bytes, or null; closed whatever happens
     */
    void start(RangeFetch fetch, Exchange probe) {
        Runnable task = () -> {
            try {
                fetch.run(probe);
            } catch (UncheckedIOException disk) {
                fail(new IOException(fetch.describe() + " could not be written to the part file: "
                        + disk.getCause().getMessage(), disk.getCause()));
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
            } finally {
                finished.countDown();
            }
        };
        try {
            pool.execute(task);
        } catch (RejectedExecutionException stopping) {
            finished.countDown(); // an earlier range failed already
            if (probe != null) {
                probe.close();
            }
        }
    }

    private void fail(Throwable error) {
        if (failure.compareAndSet(null, error)) {
            pool.shutdownNow(); // the other ranges stop; their interruption is not the error to report
        }
    }

    /**
     * Waits until every range is complete, hashing the file as its prefix completes, and forces it.
     *
     * @param listener receives the progress
     * @param startedNanos when the download started
     * @return the SHA-256 of the file, lower-case hex
     * @throws IOException if a range broke and could not be resumed, or the part file could not be
     *     written or read (the part file and the map are kept for resuming)
     * @throws BulkExportException for an error answer, a changed file, or if interrupted (the
     *     interrupt flag is set again)
     */
    String await(Consumer<DownloadProgress> listener, long startedNanos) throws IOException {
        MessageDigest sha256 = Disk.sha256();
        ByteBuffer buffer = ByteBuffer.allocate(HASH_BUFFER);
        long before = map.bytes();
        long hashed = 0;
        long reportedAt = System.nanoTime();
        long savedAt = reportedAt;
        boolean interrupted = false;
        try {
            while (failure.get() == null) {
                long ready = map.contiguous();
                if (hashed < ready) {
                    hashed = hash(sha256, buffer, hashed, Math.min(ready, hashed + HASH_STEP));
                } else if (finished.await(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS) && hashed == map.length()) {
                    break;
                }
                long now = System.nanoTime();
                if (now - reportedAt >= PROGRESS_EVERY.toNanos()) {
                    reportedAt = now;
                    listener.accept(progress(before, startedNanos));
                }
                if (now - savedAt >= CHECKPOINT_EVERY.toNanos()) {
                    save();
                    savedAt = System.nanoTime();
                }
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            Thread.interrupted(); // cleared until the map is saved: a call on a channel would close it
            interrupted = true;
        } catch (IOException | RuntimeException e) {
            fail(e); // the digest's read, the map, or the listener failed
        }
        if (interrupted || failure.get() != null) {
            boolean interruptedWhileStopping = stop();
            saveAfter(failure.get());
            if (interrupted || interruptedWhileStopping) {
                Thread.currentThread().interrupt();
            }
            if (interrupted) {
                throw new BulkExportException("interrupted while downloading export " + exportId + " over "
                        + map.count() + " connections (the partial file " + part + " is kept for resuming)", null);
            }
            throw rethrown(failure.get());
        }
        out.force(true);
        listener.accept(progress(before, startedNanos));
        return HexFormat.of().formatHex(sha256.digest());
    }

    private long hash(MessageDigest digest, ByteBuffer buffer, long from, long to) throws IOException {
        long position = from;
        while (position < to) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), to - position));
            int n = in.read(buffer, position);
            if (n < 0) {
                throw new EOFException("the part file ended at byte " + position + " of " + map.length());
            }
            buffer.flip();
            digest.update(buffer);
            position += n;
        }
        return position;
    }

    private DownloadProgress progress(long before, long startedNanos) {
        long nanos = System.nanoTime() - startedNanos;
        long bytes = map.bytes();
        double perSecond = (bytes - before) / Math.max(1e-9, nanos / 1e9);
        OptionalLong total = OptionalLong.of(map.length());
        return new DownloadProgress(bytes, total, perSecond, Duration.ofNanos(nanos),
                Rates.remaining(total, bytes, perSecond), resumes.get());
    }

    /** Forces the bytes the map counts, then writes it: it never claims bytes a power loss could take back. */
    private void save() throws IOException {
        RangeMap progress = map.snapshot();
        out.force(false);
        progress.write(mapFile);
    }

    private void saveAfter(Throwable error) {
        try {
            save();
        } catch (IOException e) {
            if (error != null) {
                error.addSuppressed(e);
            } else {
                LOG.warn("could not save the progress of the ranges to {}: {}", mapFile, e.toString());
            }
        }
    }

    private static IOException rethrown(Throwable error) {
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        return (IOException) error;
    }

    /**
     * Stops every range and waits until none can write any more.
     *
     * @return whether this thread was interrupted meanwhile (its flag is left clear: a call on a
     *     channel with the flag set would close the channel)
     */
    private boolean stop() {
        pool.shutdownNow();
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, TimeUnit.MINUTES)) {
                    break;
                }
                LOG.warn("ranges of a download still running a minute after they were stopped");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    @Override
    public void close() throws IOException {
        if (stop()) { // no range can write any more
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } finally {
            in.close();
        }
    }
}
