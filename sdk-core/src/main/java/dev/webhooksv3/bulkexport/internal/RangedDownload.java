package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A download over several connections at once ({@link DownloadRequest#withParallelism}): the file
 * is split into equal byte ranges, one {@link RangeFetch} per range, each writing in place into the
 * part file, which is created at the file's full length; {@link ParallelFetch} runs them.
 *
 * <p>The first request asks for the first bytes only; its {@code Content-Range} tells the length
 * and its ETag (else Last-Modified) the validator that every range request then sends in
 * {@code If-Range}; its body becomes the start of the first range. A server that ignores ranges or
 * names no validator, or a small file, is left to the one-connection path, which then asks again
 * from byte 0 (at most the first bytes were received in vain). The ranges' progress is kept in a
 * {@link RangeMap} beside the part file, written before the part file is created and removed after
 * the file is moved into place: a part file with a map is this class's to continue or drop, one
 * without a map is the one-connection path's.
 */
final class RangedDownload {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Pattern FIRST_BYTES = Pattern.compile("bytes 0-(\\d+)/(\\d+)");
    /** The smallest range by default: a connection must have enough to do to be worth opening. */
    static final long MIN_RANGE_BYTES = 1024 * 1024;
    /** The file must be at least this many ranges long to be split at all. */
    private static final int MIN_RANGES = 8;
    private static final long PROBE_BYTES = 64 * 1024;

    private final ExportApi api;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final long minRangeBytes;

    /**
     * @param minRangeBytes the smallest range: a file shorter than {@value #MIN_RANGES} of them,
     *     or than one per connection, is downloaded over one connection
     */
    RangedDownload(ExportApi api, RetryPolicy policy, Sleeper sleeper, long minRangeBytes) {
        this.api = api;
        this.policy = policy;
        this.sleeper = sleeper;
        this.minRangeBytes = minRangeBytes;
    }

    /**
     * Downloads into {@code part} (continuing the ranges of an earlier process), then moves it to
     * {@code target}; or, when the file is better downloaded over one connection, returns empty
     * with no part file touched but for dropping one whose ranges cannot be continued.
     *
     * @throws IOException if a range broke and could not be resumed, or the part file could not be
     *     written (the part file and its map are kept for resuming)
     * @throws ResumingInputStream.ContentChangedException if the file changed on the server
     */
    Optional<DownloadResult> download(URI uri, DownloadRequest request, Path target, Path part, long started)
            throws IOException {
        Path mapFile = part.resolveSibling(part.getFileName() + ".ranges");
        if (request.parallelism() == 1 && !Files.exists(mapFile)) {
            return Optional.empty();
        }
        RangeMap map = continued(request, part, mapFile);
        AtomicInteger requests = new AtomicInteger();
        ApiRequest ranged = ApiRequest.download(uri).toFile().withHeader("Accept-Encoding", "identity");
        Exchange probe = null;
        if (map == null) {
            if (request.parallelism() == 1 || Files.exists(part)) {
                return Optional.empty(); // a part file without ranges is the one-connection path's, and continued by it
            }
            probe = probe(ranged, request, requests);
            if (probe == null) {
                return Optional.empty();
            }
            try {
                map = RangeMap.plan(lengthOf(probe), validatorOf(probe), request.parallelism());
                map.write(mapFile); // before the part file, which is never without its map
                try (FileChannel created = FileChannel.open(part, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE)) {
                    created.write(ByteBuffer.allocate(1), map.length() - 1); // its full length, holes unwritten
                }
            } catch (IOException | RuntimeException e) {
                probe.close();
                throw e;
            }
        }
        return Optional.of(fetch(ranged, request, map, probe, target, part, mapFile, requests, started));
    }

    /**
     * The ranges of an earlier process to continue, or null; a part file whose ranges cannot be
     * continued (another parallelism, a torn map, another length) is dropped with its map.
     */
    private static RangeMap continued(DownloadRequest request, Path part, Path mapFile) throws IOException {
        if (!Files.exists(mapFile)) {
            return null;
        }
        Optional<RangeMap> map = RangeMap.read(mapFile);
        boolean present = Files.isRegularFile(part);
        String mismatch = !present ? "" : map.isEmpty() ? "its range map " + mapFile + " is unreadable"
                : map.get().count() != request.parallelism() ? "it was downloaded over " + map.get().count()
                        + " connection(s), not " + request.parallelism()
                : Files.size(part) != map.get().length() ? "it has " + Files.size(part) + " bytes, not the "
                        + map.get().length() + " of its range map" : null;
        if (mismatch == null) {
            LOG.info("export {}: continuing {} ranges of the partial file {} ({} of {} bytes received)",
                    request.exportId(), map.get().count(), part, map.get().bytes(), map.get().length());
            return map.get();
        }
        if (present) {
            LOG.info("export {}: starting over instead of continuing {}: {}", request.exportId(), part, mismatch);
        }
        Files.deleteIfExists(part);
        Files.deleteIfExists(mapFile);
        return null;
    }

    /**
     * Asks for the file's first bytes; the answer if the file is to be split, else null (the answer
     * closed): not a range of the identity bytes with a length and validator, or a small file.
     */
    private Exchange probe(ApiRequest ranged, DownloadRequest request, AtomicInteger requests) {
        long probeBytes = Math.min(PROBE_BYTES, minRangeBytes);
        Exchange exchange = RangeFetch.send(api.transport(), ranged.withHeader("Range", "bytes=0-" + (probeBytes - 1)),
                requests, "first bytes");
        if (exchange.status() != 200 && exchange.status() != 206 && exchange.status() != 416) {
            throw Errors.toException(exchange, api.clock());
        }
        long length = lengthOf(exchange);
        long smallest = Math.max(MIN_RANGES, request.parallelism()) * minRangeBytes;
        String refusal = exchange.status() != 206 ? "the server answered " + exchange.status() + " to a range request"
                : !(exchange.body() instanceof DirectBody) ? "the server answered a range request with a body of type "
                        + exchange.headers().firstValue("Content-Type").orElse("?") + " and Content-Encoding "
                        + exchange.headers().firstValue("Content-Encoding").orElse("identity")
                : length < 0 || lastOf(exchange) != Math.min(probeBytes, length) - 1 ? "the server answered "
                        + "bytes=0-" + (probeBytes - 1) + " with Content-Range "
                        + exchange.headers().firstValue("Content-Range").orElse("<none>")
                : validatorOf(exchange) == null ? "the server names no validator (ETag or Last-Modified) that would "
                        + "keep the ranges of one version"
                : length < smallest ? "the file has " + length + " bytes, fewer than the " + smallest + " worth it"
                : null;
        if (refusal == null) {
            return exchange;
        }
        exchange.close();
        LOG.info("export {}: downloading over one connection, not {}: {}", request.exportId(),
                request.parallelism(), refusal);
        return null;
    }

    private static long lengthOf(Exchange probe) {
        Matcher range = probe.headers().firstValue("Content-Range").map(FIRST_BYTES::matcher)
                .filter(Matcher::matches).orElse(null);
        return range == null ? -1 : Long.parseLong(range.group(2));
    }

    private static long lastOf(Exchange probe) {
        Matcher range = probe.headers().firstValue("Content-Range").map(FIRST_BYTES::matcher)
                .filter(Matcher::matches).orElseThrow();
        return Long.parseLong(range.group(1));
    }

    private static String validatorOf(Exchange probe) {
        FileVersion version = new FileVersion(null, validator -> { });
        version.adopt(probe, -1);
        return version.validator();
    }

    private DownloadResult fetch(ApiRequest ranged, DownloadRequest request, RangeMap map, Exchange probe,
                                 Path target, Path part, Path mapFile, AtomicInteger requests, long started)
            throws IOException {
        String sha256;
        AtomicInteger resumes;
        Exchange first = probe;
        try (ParallelFetch run = new ParallelFetch(request.exportId(), map, part, mapFile)) {
            resumes = run.resumes();
            for (int i = 0; i < map.count(); i++) {
                if (!map.complete(i)) {
                    RangeFetch fetch = new RangeFetch(api.transport(), ranged, map, i, run.channel(), policy, sleeper,
                            api.clock(), requests, resumes);
                    Exchange handed = first; // a probe exists only when no range is complete: it goes to the first
                    first = null;
                    run.start(fetch, handed);
                }
            }
            sha256 = run.await(request.progressListener(), started);
        } finally {
            if (first != null) {
                first.close();
            }
        }
        Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Disk.forceDirectory(target.getParent());
        Files.deleteIfExists(mapFile);
        return new DownloadResult(target, map.length(), requests.get(), resumes.get(),
                Duration.ofNanos(System.nanoTime() - started), sha256);
    }
}
