package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

/**
 * The exclusive hold of one recovery on its work directory, for the whole run: two runs on one
 * directory (overlapping cron jobs) would each hand every remaining event to their handler.
 *
 * <p>An OS file lock on {@code recovery.lock}: released by the OS when the process dies, however
 * it dies, so a crashed run never blocks the next. The file keeps the holder's pid, host and start
 * for the message a refused run gives; it is never deleted (deleting a lock file races). Some
 * network mounts (NFS without a lock daemon, some SMB and FUSE file systems) grant locks that do
 * not exclude other hosts: keep the work directory on a local disk.
 */
final class RecoveryLock implements AutoCloseable {

    static final String FILE = "recovery.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private RecoveryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the directory, or fails at once.
     *
     * @throws BulkExportException if another run holds it, naming the holder where it can
     */
    static RecoveryLock acquire(Path directory, Instant now) throws IOException {
        Path file = directory.resolve(FILE);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException sameProcess) {
            lock = null;
        } catch (IOException | RuntimeException unsupported) {
            channel.close();
            throw unsupported;
        }
        if (lock == null) {
            String holder = holder(channel);
            channel.close();
            throw new BulkExportException("work directory " + directory + " is in use by another recovery ("
                    + holder + "); two runs at once would hand every event twice: wait for it to end", null);
        }
        try {
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(("pid " + ProcessHandle.current().pid() + " on " + host() + " since " + now
                    + "\n").getBytes(StandardCharsets.UTF_8)), 0);
        } catch (IOException | RuntimeException notWritten) {
            lock.release();
            channel.close();
            throw notWritten;
        }
        return new RecoveryLock(channel, lock);
    }

    private static String holder(FileChannel channel) {
        try {
            ByteBuffer text = ByteBuffer.allocate(256);
            channel.read(text, 0);
            String said = new String(text.array(), 0, text.position(), StandardCharsets.UTF_8).strip();
            return said.isEmpty() ? "holder unknown" : said;
        } catch (IOException unreadable) {
            return "holder unknown";
        }
    }

    private static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException unknown) {
            return "this host";
        }
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
