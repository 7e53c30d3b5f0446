package dev.webhooksv3.bulkexport.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * An output stream another thread writes to while the test waits for a line to appear: every write
 * wakes the waiting test, which never sleeps or polls.
 */
final class WatchedOutput extends OutputStream {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

    @Override
    public synchronized void write(int b) {
        bytes.write(b);
        notifyAll();
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        bytes.write(b, off, len);
        notifyAll();
    }

    /** Everything written so far. */
    synchronized String text() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits for a whole line (ended by a newline) that {@code matches}, and returns it. */
    synchronized String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            String text = text();
            Optional<String> line = text.substring(0, text.lastIndexOf('\n') + 1).lines().filter(matches).findFirst();
            if (line.isPresent()) {
                return line.get();
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return fail("no matching line within " + timeout + "; written so far:\n" + text);
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
