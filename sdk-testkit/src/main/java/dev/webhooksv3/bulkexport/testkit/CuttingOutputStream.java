package dev.webhooksv3.bulkexport.testkit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Passes {@code limit} bytes, then flushes and fails, so that the server drops the connection
 * ({@link Faults#resetDownloadAfter}). Once cut it never closes the stream below: closing would
 * end a chunked body cleanly.
 */
final class CuttingOutputStream extends FilterOutputStream {

    private long left;
    private boolean cut;

    CuttingOutputStream(OutputStream out, long limit) {
        super(out);
        this.left = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (cut) {
            throw new IOException("emulated connection reset (resetDownloadAfter)");
        }
        int n = (int) Math.min(len, left);
        out.write(b, off, n);
        left -= n;
        if (n < len) {
            cut = true;
            out.flush();
            throw new IOException("emulated connection reset (resetDownloadAfter)");
        }
    }

    @Override
    public void flush() throws IOException {
        if (!cut) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (cut) {
            throw new IOException("emulated connection reset (resetDownloadAfter)");
        }
        out.flush();
        out.close();
    }
}
