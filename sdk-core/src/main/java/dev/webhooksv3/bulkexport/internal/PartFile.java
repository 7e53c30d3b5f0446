package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.security.MessageDigest;

/**
 * The {@code .part} file a download appends to: every byte goes to the file and to the SHA-256
 * digest of the whole file, and is counted. Written by one thread at a time (a {@link DirectBody}
 * hands it one batch at a time under its lock), read by the downloading thread after each drain.
 */
final class PartFile implements DirectBody.Sink {

    private final FileChannel channel;
    private final MessageDigest digest;
    private final FileDownload.Listener listener;
    private long bytes;

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
    }

    void write(byte[] buffer, int length) throws IOException {
        write(new ByteBuffer[] {ByteBuffer.wrap(buffer, 0, length)});
    }
}
