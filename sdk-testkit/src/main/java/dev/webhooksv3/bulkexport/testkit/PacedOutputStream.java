package dev.webhooksv3.bulkexport.testkit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.locks.LockSupport;

/**
 * Holds one response body to a rate, as a network path holds one TCP connection: it writes in
 * chunks and parks before each until the chunk's time slot, so that byte {@code n} leaves no
 * earlier than {@code n / rate} seconds after the stream was made (just after the headers). Each
 * response gets its own stream, hence its own budget: parallel ranged downloads add up, as they
 * do on a real link. Parking, not sleeping: an interrupt (the emulator closing) ends the wait and
 * the body with an {@link InterruptedIOException}, leaving the interrupt flag set.
 */
final class PacedOutputStream extends FilterOutputStream {

    private static final int MAX_CHUNK = 64 * 1024;

    private final double nanosPerByte;
    private final int chunk;
    private final long start = System.nanoTime();
    private long sent;

    PacedOutputStream(OutputStream out, long bytesPerSecond) {
        super(out);
        this.nanosPerByte = 1e9 / bytesPerSecond;
        // At least 16 slots a second, so that a slow link trickles rather than bursts 64 KiB at a time.
        this.chunk = (int) Math.max(1, Math.min(MAX_CHUNK, bytesPerSecond / 16));
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            int n = Math.min(len, chunk);
            awaitSlot();
            out.write(b, off, n);
            sent += n;
            off += n;
            len -= n;
        }
    }

    private void awaitSlot() throws InterruptedIOException {
        long due = start + (long) (sent * nanosPerByte);
        for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
            LockSupport.parkNanos(this, wait);
            if (Thread.currentThread().isInterrupted()) {
                throw new InterruptedIOException("interrupted while pacing a download body at byte " + sent);
            }
        }
    }
}
