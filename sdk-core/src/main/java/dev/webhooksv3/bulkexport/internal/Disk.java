package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** What it takes for a file to survive a power loss, and to name its content. */
final class Disk {

    private Disk() {
    }

    /**
     * Forces a directory's entries to disk: a file created or renamed in it is only durable once
     * its directory is, whatever the file's own fsync says.
     */
    static void forceDirectory(Path directory) {
        try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException unsupported) {
            // Some platforms cannot open a directory; the file's own fsync still applies.
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
