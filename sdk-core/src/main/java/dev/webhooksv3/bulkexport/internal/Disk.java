package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

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

    /** Feeds the whole file to {@code digest}; returns its size. */
    static long hash(Path file, MessageDigest digest) throws IOException {
        long size = 0;
        byte[] buffer = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        return size;
    }

    /** The file's SHA-256, in lowercase hex. */
    static String sha256Of(Path file) throws IOException {
        MessageDigest digest = sha256();
        hash(file, digest);
        return HexFormat.of().formatHex(digest.digest());
    }
}
