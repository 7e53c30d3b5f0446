package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The {@code .part} file a download appends to: every byte goes to the file, is counted, and is
 * fed to the SHA-256 digest of the whole file. Written by one thread at a time (a
 * {@link DirectBody} hands it one batch at a time under its lock), read by the downloading thread
 * after each drain.
 *
 * <p>Two jobs run beside the writes, each on a thread of its own, so that the receiving thread
 * only writes (as {@code BodyHandlers.ofFile} does) and nothing is left to do after the last byte
 * but a short wait:
 * <ul>
 * <li>the digest follows the written bytes, reading them back from the page cache (never the
 *     HTTP client's buffers, which the client owns once {@code onNext} returned), at most
 *     {@value #HASH_CHUNK} bytes at a time;
 * <li>every {@value #FLUSH_EVERY_BYTES} bytes, what was written is forced to disk, so that the
 *     fsync before the file's move into place has only the tail left to write instead of the whole
 *     file (0.46 s for 600 MB on this project's machines, half as long as the download).
 * </ul>
 */
final class PartFile implements DirectBody.Sink, AutoCloseable {

    static final long FLUSH_EVERY_BYTES = 32L * 1024 * 1024;
    private static final int STAGING_BYTES = 256 * 1024;
    private static final int HASH_CHUNK = 1024 * 1024;
    private static final ExecutorService BACKGROUND = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "webhooks-download-part");
        thread.setDaemon(true);
        return thread;
    });

    private final FileChannel channel;
    private final MessageDigest digest;
    private final FileDownload.Listener listener;
    private final Object lock = new Object();
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING_BYTES);
    private final CompletableFuture<Void> hashing;
    private long bytes; // guarded by lock for the hasher; written by the one writing thread
    private long flushedAt;
    private boolean closed;
    private boolean abandoned;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);

    /**
     * @param channel the part file, opened to append and to read
     * @param digest the digest of the bytes already in it
     * @param bytes how many bytes are already in it
     * @param listener told the file's size after each write
     */
    PartFile(FileChannel channel, MessageDigest digest, long bytes, FileDownload.Listener listener) {
        this.channel = channel;
        this.digest = digest;
        this.bytes = bytes;
        this.flushedAt = bytes;
        this.listener = listener;
        this.hashing = CompletableFuture.runAsync(() -> hashFrom(bytes), BACKGROUND);
    }

    /** The file's size so far. */
    long bytes() {
        synchronized (lock) {
            return bytes;
        }
    }

    /**
     * Takes in a batch of the client's buffers: they are copied into a staging buffer of
     * {@value #STAGING_BYTES} bytes, written out when it is full (the client hands over about
     * 16 KiB a batch: one system call per batch cost a third of the throughput). {@link #flush}
     * writes the rest, and must be called when a body ends or breaks, before {@link #bytes} is read.
     */
    @Override
    public void write(ByteBuffer[] buffers) throws IOException {
        for (ByteBuffer buffer : buffers) {
            while (buffer.hasRemaining()) {
                if (!staging.hasRemaining()) {
                    flush();
                }
                int n = Math.min(buffer.remaining(), staging.remaining());
                staging.put(staging.position(), buffer, buffer.position(), n);
                staging.position(staging.position() + n);
                buffer.position(buffer.position() + n);
            }
        }
    }

    /** Writes what the staging buffer holds to the file, and tells the listeners. */
    void flush() throws IOException {
        staging.flip();
        long batch = staging.remaining();
        while (staging.hasRemaining()) {
            channel.write(staging);
        }
        staging.clear();
        if (batch == 0) {
            return;
        }
        long size;
        synchronized (lock) {
            bytes += batch;
            size = bytes;
            lock.notifyAll();
        }
        listener.wrote(size);
        if (size - flushedAt >= FLUSH_EVERY_BYTES && flushing.isDone()) {
            flushedAt = size;
            flushing = CompletableFuture.runAsync(this::forceInBackground, BACKGROUND);
        }
    }

    void write(byte[] buffer, int length) throws IOException {
        write(new ByteBuffer[] {ByteBuffer.wrap(buffer, 0, length)});
        flush();
    }

    /** Forces the whole file to disk, after the background flush in progress, if any. */
    void force() throws IOException {
        flushing.exceptionally(ignored -> null).join(); // its failure, if any, the force below meets again
        channel.force(true);
    }

    /** The SHA-256 of the whole file as written, once the digest has caught up with it. */
    String sha256() throws IOException {
        synchronized (lock) {
            closed = true;
            lock.notifyAll();
        }
        try {
            hashing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while hashing the downloaded file");
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause() instanceof java.io.UncheckedIOException unchecked ? unchecked.getCause()
                    : e.getCause();
            throw cause instanceof IOException io ? io
                    : new IOException("cannot hash the downloaded file: " + cause, cause);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** Stops the digest where it is, unless {@link #sha256} was read (the download failed). */
    @Override
    public void close() {
        synchronized (lock) {
            closed = true;
            abandoned = true;
            lock.notifyAll();
        }
    }

    private void hashFrom(long start) {
        ByteBuffer buffer = ByteBuffer.allocate(HASH_CHUNK);
        long hashed = start;
        while (true) {
            long end;
            synchronized (lock) {
                while (hashed >= bytes && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                }
                if (hashed >= bytes || abandoned) {
                    return; // closed, and caught up or given up
                }
                end = Math.min(bytes, hashed + HASH_CHUNK);
            }
            buffer.clear().limit((int) (end - hashed));
            try {
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, hashed + buffer.position()) < 0) {
                        throw new IOException("the part file ended at " + (hashed + buffer.position())
                                + " bytes, before the " + end + " written");
                    }
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            buffer.flip();
            digest.update(buffer);
            hashed = end;
        }
    }

    private void forceInBackground() {
        try {
            channel.force(false);
        } catch (IOException ignored) {
            // A closed channel (the download failed) or a disk error, which the final force reports.
        }
    }
}
