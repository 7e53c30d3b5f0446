package dev.webhooksv3.bulkexport.internal;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

/**
 * Decodes a gzip body, refusing one that inflates more than {@value #MAX_RATIO} times its
 * compressed size past the first 64 MiB (a "zip bomb"): NDJSON export files compress about 5 to
 * 15 times.
 */
final class BoundedGzipInputStream extends GZIPInputStream {

    static final long MAX_RATIO = 200;
    private static final long FREE_BYTES = 64L * 1024 * 1024;

    /** The body inflates beyond the ratio: not retried, not resumed. */
    static final class BombException extends IOException {
        private static final long serialVersionUID = 1L;

        BombException(String message) {
            super(message);
        }
    }

    private final Counting counted;
    private long inflated;

    BoundedGzipInputStream(InputStream compressed) throws IOException {
        this(new Counting(compressed));
    }

    private BoundedGzipInputStream(Counting counted) throws IOException {
        super(counted, 64 * 1024);
        this.counted = counted;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (n > 0) {
            inflated += n;
            if (inflated > FREE_BYTES && inflated > counted.count * MAX_RATIO) {
                throw new BombException("gzip body inflates to " + inflated + " bytes from " + counted.count
                        + " compressed bytes, more than " + MAX_RATIO + " times: refused");
            }
        }
        return n;
    }

    /** Counts the compressed bytes read. */
    private static final class Counting extends FilterInputStream {
        private long count;

        Counting(InputStream in) {
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
