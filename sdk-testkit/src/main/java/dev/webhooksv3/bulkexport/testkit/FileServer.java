package dev.webhooksv3.bulkexport.testkit;

import com.sun.net.httpserver.Headers;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPOutputStream;

/**
 * Serves a completed job's NDJSON file, for both origins: generated on the fly from the catalog
 * with {@code Content-Length} and an {@code ETag}, honouring {@code Range} and {@code If-Range},
 * or gzip-compressed without a length ({@link Faults#gzipDownloads}); cut by
 * {@link Faults#resetDownloadAfter} and paced by the per-connection bandwidth, if any.
 */
final class FileServer {

    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    private static final int BUFFER = 64 * 1024;

    private final EventCatalog catalog;
    private final Faults faults;
    private final long bytesPerSecond;

    /** @param bytesPerSecond the cap of each response body; 0 for none */
    FileServer(EventCatalog catalog, Faults faults, long bytesPerSecond) {
        this.catalog = catalog;
        this.faults = faults;
        this.bytesPerSecond = bytesPerSecond;
    }

    void serve(Call call, ExportModel.Job job) throws IOException {
        long recordLength = catalog.recordLength();
        long length = job.lineCount * recordLength;
        int version = job.version; // one version for the ETag and the bytes, even if the file changes meanwhile
        String etag = job.etag(recordLength, version);
        Headers headers = call.responseHeaders();
        headers.set("Content-Type", "application/x-ndjson");
        headers.set("ETag", etag);
        long cutAfter = faults.reset.take();
        String acceptEncoding = call.header("Accept-Encoding");
        if (faults.gzipping() && acceptEncoding != null
                && acceptEncoding.toLowerCase(Locale.ROOT).contains("gzip")) {
            headers.set("Content-Encoding", "gzip");
            headers.set("Vary", "Accept-Encoding");
            call.respond(200, 0);
            try (OutputStream out = new GZIPOutputStream(wire(call, cutAfter), BUFFER)) {
                write(out, job, version, 0, length);
            }
            return;
        }
        headers.set("Accept-Ranges", "bytes");
        long start = 0;
        long end = length - 1;
        int status = 200;
        String range = call.header("Range");
        String ifRange = call.header("If-Range");
        Matcher m = range == null ? null : RANGE.matcher(range.strip());
        if (m != null && m.matches() && !(m.group(1).isEmpty() && m.group(2).isEmpty())
                && (ifRange == null || ifRange.strip().equals(etag))) {
            try {
                if (m.group(1).isEmpty()) {
                    start = Math.max(0, length - Long.parseLong(m.group(2)));
                } else {
                    start = Long.parseLong(m.group(1));
                    if (!m.group(2).isEmpty()) {
                        end = Math.min(end, Long.parseLong(m.group(2)));
                    }
                }
            } catch (NumberFormatException tooLarge) {
                start = Long.MAX_VALUE;
            }
            if (start >= length || end < start) {
                headers.set("Content-Range", "bytes */" + length);
                call.error(416, "Range Not Satisfiable", "The file has " + length + " bytes; asked: " + range);
                return;
            }
            status = 206;
            headers.set("Content-Range", "bytes " + start + "-" + end + "/" + length);
        }
        long count = end - start + 1;
        call.respond(status, count == 0 ? -1 : count);
        if (count > 0) {
            try (OutputStream out = wire(call, cutAfter)) {
                write(out, job, version, start, count);
            }
        }
    }

    /**
     * The body stream as the wire sees it: the pacing sits below the gzip and the buffer, so that
     * it counts the bytes that leave, and the cut below the pacing, so that it counts them too.
     */
    private OutputStream wire(Call call, long cutAfter) {
        OutputStream body = call.responseBody();
        if (cutAfter >= 0) {
            body = new CuttingOutputStream(body, cutAfter);
        }
        if (bytesPerSecond > 0) {
            body = new PacedOutputStream(body, bytesPerSecond);
        }
        return new BufferedOutputStream(body, BUFFER);
    }

    /**
     * Writes {@code count} bytes of the job's file (as of {@code version}) from byte {@code start},
     * line by line. A re-generated file holds the same lines rotated by the job's shift: physical
     * line {@code p} holds logical line {@code (p + shift) % lineCount}.
     */
    private void write(OutputStream out, ExportModel.Job job, int version, long start, long count)
            throws IOException {
        long recordLength = catalog.recordLength();
        long shift = job.shift(version);
        long line = start / recordLength;
        int skip = (int) (start % recordLength);
        long logical = shift == 0 ? line : (line + shift) % job.lineCount;
        byte[] malformed = null;
        long remaining = count;
        while (remaining > 0) {
            byte[] text;
            if (job.isMalformed(line)) {
                text = malformed != null ? malformed : (malformed = catalog.malformedLine());
            } else {
                text = catalog.line(job.indexAtLine(logical));
            }
            int n = (int) Math.min(remaining, text.length - skip);
            if (n > 0) {
                out.write(text, skip, n);
                remaining -= n;
                skip = 0;
            } else {
                skip -= text.length;
            }
            if (remaining > 0) {
                out.write('\n');
                remaining--;
            }
            line++;
            if (++logical == job.lineCount) {
                logical = 0;
            }
        }
    }
}
