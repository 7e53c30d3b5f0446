package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The {@code .part} file a download appends to: every byte goes to the file and to the SHA-256
 * digest of the whole file, and is counted. Written by one thread at a time (a {@link DirectBody}
 * hands it one batch at a time under its lock), read by the downloading thread after each drain.
 *
 * <p>Every {@value #FLUSH_EVERY_BYTES} bytes a background thread forces what was written to disk,
 * so that the fsync before the file's move into place has only the tail left to write instead of
 * the whole file (on this project's machines, 0.46 s for 600 MB, as long as half the download).
 */
final class PartFile implements DirectBody.Sink {

    static final long FLUSH_EVERY_BYTES = 32L * 1024 * 1024;
    private static final Executor FLUSHER = Executors.newCachedThreadPool(task -> {
        Thread thread = new Thread(task, "webhooks-download-flush");
        thread.setDaemon(true);
        return thread;
    });

    private final FileChannel channel;
    private final MessageDigest digest;
    private final FileDownload.Listener listener;
    private long bytes;
    private long flushedAt;
    private CompletableFuture<Void> flushing = CompletableFuture.completedFuture(null);

    /**
     * @param channel the part file, opened to append
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
    }

    /** The file's size so far. */
    long bytes() {
        return bytes;
    }

    @Override
    public void write(ByteBuffer[] buffers) throws IOException {
        long remaining = 0;
        for (ByteBuffer buffer : buffers) {
            int start = buffer.position();
            digest.update(buffer);
            buffer.position(start);
            remaining += buffer.remaining();
        }
        long batch = remaining;
        // One gathering write per batch of the client's buffers, as BodyHandlers.ofFile does.
        while (remaining > 0) {
            remaining -= channel.write(buffers);
        }
        bytes += batch;
        listener.wrote(bytes);
        if (bytes - flushedAt >= FLUSH_EVERY_BYTES && flushing.isDone()) {
            flushedAt = bytes;
            flushing = CompletableFuture.runAsync(this::flush, FLUSHER);
        }
    }

    /** Forces the whole file to disk, after the background flush in progress, if any. */
    void force() throws IOException {
        flushing.exceptionally(ignored -> null).join(); // its failure, if any, the force below meets again
        channel.force(true);
    }

    private void flush() {
        try {
            channel.force(false);
        } catch (IOException ignored) {
            // A closed channel (the download failed) or a disk error, which the final force reports.
        }
    }

    void write(byte[] buffer, int length) throws IOException {
        write(new ByteBuffer[] {ByteBuffer.wrap(buffer, 0, length)});
    }
}
