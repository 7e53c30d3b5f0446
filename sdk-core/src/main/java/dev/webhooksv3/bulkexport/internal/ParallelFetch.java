package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadProgress;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connections of one download running at once: a small pool with a thread per connection
 * ({@code webhooks-download-range-N}), each taking the next chunk not yet fetched, in file order,
 * so that the part file's complete prefix grows steadily behind them. The calling thread follows
 * that prefix with the SHA-256 ({@link PrefixDigest}), reports progress, and has the part file
 * forced and the {@link RangeMap} saved in the background as the download grows. The first fatal
 * error of a connection stops the others (interrupting them), and so does an interrupt of the
 * calling thread; either way the map is saved once no connection can write any more, so that a
 * later process fetches only what is missing.
 */
final class ParallelFetch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);
    /**
     * The part file is forced and the map saved every this many new bytes, in the background, so
     * that the fsync before the move has only the tail left (as {@link PartFile} does), and a crash
     * loses at most this much, or {@link #CHECKPOINT_EVERY} of progress.
     */
    private static final long CHECKPOINT_BYTES = 32L * 1024 * 1024;
    private static final Duration CHECKPOINT_EVERY = Duration.ofSeconds(5);
    /** At most this much is hashed between two looks at the progress and the errors. */
    private static final long HASH_STEP = 16L * 1024 * 1024;
    private static final Executor SAVER = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "webhooks-download-flush");
        thread.setDaemon(true);
        return thread;
    });

    private final String exportId;
    private final RangeMap map;
    private final Path part;
    private final Path mapFile;
    private final FileChannel out;
    private final PrefixDigest digest;
    private final ExecutorService pool;
    private final int connections;
    private final CountDownLatch finished;
    private final AtomicInteger nextChunk = new AtomicInteger();
    /** Released when a chunk completes or a connection ends: the prefix may have grown. */
    private final Semaphore progressed = new Semaphore(0);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final AtomicInteger resumes = new AtomicInteger();
    private CompletableFuture<Void> saving = CompletableFuture.completedFuture(null);

    /**
     * Opens the part file, which has the file's full length already.
     *
     * @param exportId the export, for messages
     * @param part the part file
     * @param mapFile where the map is saved
     * @param connections how many connections will be {@linkplain #start started}
     */
    ParallelFetch(String exportId, RangeMap map, Path part, Path mapFile, int connections) throws IOException {
        this.exportId = exportId;
        this.map = map;
        this.part = part;
        this.mapFile = mapFile;
        this.connections = connections;
        // The map's saves force through `out`, the digest reads and each connection writes through a channel of
        // its own: an interrupt during a call on a channel closes that channel, and must not close another.
        this.out = FileChannel.open(part, StandardOpenOption.WRITE);
        try {
            this.digest = new PrefixDigest(part, map.length());
        } catch (IOException e) {
            out.close();
            throw e;
        }
        this.finished = new CountDownLatch(connections);
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(connections, task -> {
            Thread thread = new Thread(task, "webhooks-download-range-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Counts every resume, shared by the connections. */
    AtomicInteger resumes() {
        return resumes;
    }

    /**
     * Starts one connection on a thread of its own, fetching chunks until none is left.
     *
     * @param fetch the connection, closed when it ends
     * @param probe the answer with the first bytes of chunk 0, or null; closed whatever happens.
     *     Only the first connection started may be handed one: chunk 0 is then its first.
     */
    void start(RangeFetch fetch, Exchange probe) {
        if (probe != null && !nextChunk.compareAndSet(0, 1)) {
            probe.close();
            closeQuietly(fetch);
            throw new IllegalStateException("the first bytes go to the first connection started");
        }
        Runnable task = () -> {
            Exchange handed = probe;
            int chunk = probe != null ? 0 : next();
            try {
                for (; chunk >= 0 && failure.get() == null; chunk = next()) {
                    fetch.fetch(chunk, handed);
                    handed = null;
                    progressed.release();
                }
            } catch (UncheckedIOException disk) {
                fail(new IOException(fetch.describe(chunk) + " could not be written to the part file: "
                        + disk.getCause().getMessage(), disk.getCause()));
            } catch (IOException | RuntimeException | Error e) {
                fail(e);
            } finally {
                if (handed != null) {
                    handed.close();
                }
                closeQuietly(fetch);
                finished.countDown();
                progressed.release();
            }
        };
        try {
            pool.execute(task);
        } catch (RejectedExecutionException stopping) {
            finished.countDown(); // an earlier connection failed already
            if (probe != null) {
                probe.close();
            }
            closeQuietly(fetch);
        }
    }

    private static void closeQuietly(RangeFetch fetch) {
        try {
            fetch.close();
        } catch (IOException ignored) {
            // Its writes are forced through another channel, which reports a failing disk.
        }
    }

    /** The next chunk to fetch, in file order, or -1 when every one is taken. */
    private int next() {
        for (int chunk = nextChunk.getAndIncrement(); chunk < map.count(); chunk = nextChunk.getAndIncrement()) {
            if (!map.complete(chunk)) {
                return chunk;
            }
        }
        return -1;
    }

    private void fail(Throwable error) {
        if (failure.compareAndSet(null, error)) {
            pool.shutdownNow(); // the other connections stop; their interruption is not the error to report
            progressed.release();
        }
    }

    /**
     * Waits until every chunk is complete, hashing the file as its prefix completes, and forces it.
     *
     * @param listener receives the progress
     * @param startedNanos when the download started
     * @return the SHA-256 of the file, lower-case hex
     * @throws IOException if a chunk broke and could not be resumed, or the part file could not be
     *     written or read (the part file and the map are kept for resuming)
     * @throws BulkExportException for an error answer, a changed file, or if interrupted (the
     *     interrupt flag is set again)
     */
    String await(Consumer<DownloadProgress> listener, long startedNanos) throws IOException {
        long before = map.bytes();
        long reportedAt = System.nanoTime();
        long savedAt = reportedAt;
        long savedBytes = before;
        boolean interrupted = false;
        try {
            while (failure.get() == null) {
                boolean ended = finished.getCount() == 0; // before the map is read: then it holds all there is
                long hashed = digest.hashed();
                long ready = map.contiguous(map.chunkAt(hashed));
                if (hashed < ready) {
                    digest.hashTo(Math.min(ready, hashed + HASH_STEP));
                } else if (hashed == map.length()) {
                    break;
                } else if (ended) {
                    throw new IllegalStateException("every connection ended, yet byte " + hashed + " of "
                            + map.length() + " was not received");
                } else if (progressed.tryAcquire(PROGRESS_EVERY.toMillis(), TimeUnit.MILLISECONDS)) {
                    progressed.drainPermits();
                }
                long now = System.nanoTime();
                if (now - reportedAt >= PROGRESS_EVERY.toNanos()) {
                    reportedAt = now;
                    listener.accept(progress(before, startedNanos));
                }
                long bytes = map.bytes();
                // Once every chunk is in, the last force runs while the hash catches up.
                boolean due = bytes - savedBytes >= CHECKPOINT_BYTES || now - savedAt >= CHECKPOINT_EVERY.toNanos()
                        || ended && bytes > savedBytes;
                if (due && saving.isDone()) {
                    savedAt = now;
                    savedBytes = bytes;
                    saving = CompletableFuture.runAsync(this::checkpoint, SAVER);
                }
            }
        } catch (InterruptedException | ClosedByInterruptException e) {
            Thread.interrupted(); // cleared until the map is saved: a call on a channel would close it
            interrupted = true;
        } catch (IOException | RuntimeException e) {
            fail(e); // the digest's read or the listener failed
        }
        if (interrupted || failure.get() != null) {
            boolean interruptedWhileStopping = stop();
            saveAfter(failure.get());
            if (interrupted || interruptedWhileStopping) {
                Thread.currentThread().interrupt();
            }
            if (interrupted) {
                throw new BulkExportException("interrupted while downloading export " + exportId + " over "
                        + connections + " connections (the partial file " + part + " is kept for resuming)", null);
            }
            throw rethrown(failure.get());
        }
        awaitSaving();
        out.force(true);
        listener.accept(progress(before, startedNanos));
        return digest.hex();
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

    /** A save in the background, while the connections go on; its failure stops the download. */
    private void checkpoint() {
        try {
            save();
        } catch (IOException e) {
            fail(new IOException("could not save the progress of the download to " + mapFile + ": " + e, e));
        }
    }

    private void awaitSaving() {
        saving.exceptionally(unexpected -> null).join();
    }

    private void saveAfter(Throwable error) {
        awaitSaving();
        try {
            save();
        } catch (IOException e) {
            if (error != null) {
                error.addSuppressed(e);
            } else {
                LOG.warn("could not save the progress of the download to {}: {}", mapFile, e.toString());
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
     * Stops every connection and waits until none can write any more.
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
                LOG.warn("connections of a download still running a minute after they were stopped");
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }

    @Override
    public void close() throws IOException {
        boolean interrupted = stop(); // no connection can write any more
        awaitSaving();
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        try {
            out.close();
        } finally {
            digest.close();
        }
    }
}
