package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The events handled before the export's file changed on the server, so that the handling of the
 * new file skips them: exactly once even then, where resuming at the old byte offset would hand
 * some events twice and others never.
 *
 * <p>A file that changes is a service anomaly (the emulator can regenerate a file with the same
 * events in another order); it costs this: the handled bytes of each earlier version are appended
 * to {@code export-ID.ndjson.handled} (the checkpoint says how many of its bytes count, so that a
 * crash mid-append is harmless), and a run loads their events' keys, 8 bytes each, into a sorted
 * array. An event's key is its id (or, without one, its whole line), hashed with SHA-256 and
 * truncated to 64 bits.
 */
final class HandledBeforeChange {

    private static final HandledBeforeChange NONE = new HandledBeforeChange(new long[0]);

    private final long[] keys;

    private HandledBeforeChange(long[] keys) {
        this.keys = keys;
    }

    /** The file for {@code exportFile}. */
    static Path fileFor(Path exportFile) {
        return exportFile.resolveSibling(exportFile.getFileName() + ".handled");
    }

    /** The events of the first {@code bytes} of {@code file}; none when {@code bytes} is 0. */
    static HandledBeforeChange load(Path file, long bytes, int maxLineBytes) {
        if (bytes == 0) {
            return NONE;
        }
        long[] keys = new long[1024];
        int size = 0;
        MessageDigest sha256 = Disk.sha256();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             EventStream events = EventStream.of(limited(channel, bytes),
                     EventStreamOptions.skipAndReport(malformed -> { }).withMaxLineBytes(maxLineBytes))) {
            for (FailedEvent event : events) {
                if (size == keys.length) {
                    keys = Arrays.copyOf(keys, size * 2);
                }
                keys[size++] = key(sha256, event);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the events handled before the file changed, " + file
                    + ": " + e.getMessage(), e);
        }
        long[] sorted = Arrays.copyOf(keys, size);
        Arrays.sort(sorted);
        return new HandledBeforeChange(sorted);
    }

    /**
     * Appends the first {@code bytes} of {@code earlier} (a version of the file that no longer is)
     * to {@code file}, which held {@code held} valid bytes, and forces it to disk.
     *
     * @return the valid bytes {@code file} holds now
     */
    static long append(FileChannel earlier, long bytes, Path file, long held) throws IOException {
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(held); // the rest is what a crash left of an append the checkpoint never counted
            long copied = 0;
            while (copied < bytes) {
                copied += earlier.transferTo(copied, bytes - copied, out.position(held + copied));
            }
            if (bytes > 0 && lastByte(earlier, bytes) != '\n') {
                out.write(ByteBuffer.wrap(new byte[] {'\n'}), held + bytes); // the next version starts a new line
                copied++;
            }
            out.force(true);
            return held + copied;
        }
    }

    boolean contains(FailedEvent event) {
        return keys.length > 0 && Arrays.binarySearch(keys, key(Disk.sha256(), event)) >= 0;
    }

    private static long key(MessageDigest sha256, FailedEvent event) {
        byte[] hash = sha256.digest(event.eventId().orElse(event.rawJson()).getBytes(StandardCharsets.UTF_8));
        return ByteBuffer.wrap(hash).getLong();
    }

    private static byte lastByte(FileChannel channel, long bytes) throws IOException {
        ByteBuffer one = ByteBuffer.allocate(1);
        channel.read(one, bytes - 1);
        return one.get(0);
    }

    private static InputStream limited(FileChannel channel, long bytes) {
        InputStream in = Channels.newInputStream(channel);
        return new InputStream() {
            private long left = bytes;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int b = in.read();
                left -= b < 0 ? 0 : 1;
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (left <= 0) {
                    return -1;
                }
                int n = in.read(buffer, offset, (int) Math.min(length, left));
                left -= Math.max(0, n);
                return n;
            }
        };
    }
}
