package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The {@code .part} file of a download in progress, read while it is written: a recovery parses
 * the bytes as they land instead of after the whole file did.
 *
 * <p>The download reports each {@linkplain #began start} (a new {@code .part} after the file
 * changed on the server is a new start) and how far it {@linkplain #wrote wrote}; its owner
 * reports how it {@linkplain #ended ended}. The {@linkplain #from reader} is handed only bytes
 * already written, blocks at the end of what is written until more comes, ends where the
 * finished file ends, and fails with {@link DownloadFailedException} or {@link RestartedException}
 * otherwise. The read channel is opened by the download, before its first byte, so that the file's
 * move into place when complete does not take it from under the reader.
 */
final class GrowingFile implements FileDownload.Listener, AutoCloseable {

    /** The download failed: {@link #getCause()} is its exception. */
    static final class DownloadFailedException extends IOException {
        DownloadFailedException(Throwable cause) {
            super("the download failed: " + cause.getMessage(), cause);
        }
    }

    /** The download started over (the file changed on the server): the bytes read so far are of another file. */
    static final class RestartedException extends IOException {
        RestartedException() {
            super("the file changed on the server during its download, which started over");
        }
    }

    private final Object lock = new Object();
    private FileChannel channel;
    private FileChannel superseded;
    private int starts;
    private long written;
    private boolean ended;
    private Throwable failure;

    @Override
    public void began(Path part, long bytes) throws IOException {
        FileChannel opened = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        FileChannel dropped;
        synchronized (lock) {
            dropped = superseded;
            superseded = channel; // deleted by the download, still readable here
            channel = opened;
            starts++;
            written = bytes;
            lock.notifyAll();
        }
        if (dropped != null) {
            dropped.close();
        }
    }

    /** The file as it was before the last restart: what a reader that saw {@link RestartedException} read. */
    FileChannel superseded() {
        synchronized (lock) {
            return superseded;
        }
    }

    @Override
    public void wrote(long bytes) {
        synchronized (lock) {
            written = bytes;
            lock.notifyAll();
        }
    }

    /** The download ended: complete when {@code failed} is null. */
    void ended(Throwable failed) {
        synchronized (lock) {
            ended = true;
            failure = failed;
            lock.notifyAll();
        }
    }

    /** The bytes on disk so far. */
    long written() {
        synchronized (lock) {
            return written;
        }
    }

    /**
     * The file's bytes from {@code offset} on, as they are written; closing it leaves the file open.
     * A reader from 0 reads the file of the start current at its first byte.
     */
    InputStream from(long offset) {
        return new Reader(offset);
    }

    @Override
    public void close() throws IOException {
        FileChannel open;
        FileChannel earlier;
        synchronized (lock) {
            open = channel;
            earlier = superseded;
            channel = null;
            superseded = null;
        }
        try (FileChannel a = open; FileChannel b = earlier) {
            // closes both
        }
    }

    private final class Reader extends InputStream {

        private long position;
        /** The start whose bytes this reader reads: an offset past 0 is one of the first (a resumed part file). */
        private int start;

        Reader(long offset) {
            this.position = offset;
            this.start = offset > 0 ? 1 : -1;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            FileChannel source;
            long available;
            synchronized (lock) {
                while (true) {
                    if (start >= 0 && starts > 0 && start != starts) {
                        throw new RestartedException();
                    }
                    if (channel != null && position < written) {
                        start = starts;
                        break;
                    }
                    if (ended) {
                        if (failure != null) {
                            throw new DownloadFailedException(failure);
                        }
                        return -1;
                    }
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while waiting for the download");
                    }
                }
                source = channel;
                available = written - position;
            }
            int n = source.read(ByteBuffer.wrap(buffer, offset, (int) Math.min(length, available)), position);
            position += n;
            return n;
        }
    }
}
