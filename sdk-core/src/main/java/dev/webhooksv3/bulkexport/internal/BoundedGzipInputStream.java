package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decodes a gzip download, refusing one that inflates more than {@value #MAX_RATIO} times its
 * compressed size (a "zip bomb"): NDJSON export files compress about 5 to 15 times.
 */
final class BoundedGzipInputStream extends GZIPInputStream {

    static final long MAX_RATIO = 200;
    private static final long FREE_BYTES = 64L * 1024 * 1024;

    private final ResumingInputStream compressed;
    private long inflated;

    BoundedGzipInputStream(ResumingInputStream compressed) throws IOException {
        super(new CountingStream(compressed), 64 * 1024);
        this.compressed = compressed;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            inflated += n;
            long read = ((CountingStream) in).count;
            if (inflated > FREE_BYTES && inflated > read * MAX_RATIO) {
                throw new IOException("gzip download inflates " + inflated + " bytes from " + read
                        + " compressed bytes, more than " + MAX_RATIO + " times: refused");
            }
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        compressed.close();
        super.close();
    }

    /** Counts the compressed bytes read. */
    private static final class CountingStream extends java.io.FilterInputStream {
        private long count;

        CountingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
