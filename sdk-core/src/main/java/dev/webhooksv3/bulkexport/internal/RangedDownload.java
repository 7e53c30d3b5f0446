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
 * is cut into chunks ({@value #CHUNK_BYTES} bytes, fewer for a smaller file so that each connection
 * gets about {@value #CHUNKS_PER_CONNECTION}), which the connections fetch in file order, each
 * taking the next one not yet fetched, as AWS's transfer manager does with the parts of an object;
 * each chunk is written in place into the part file, which is created at the file's full length.
 * The complete prefix thus grows steadily, and the SHA-256 follows it during the download rather
 * than reading most of the file back after it. {@link ParallelFetch} runs the connections,
 * {@link RangeFetch} is one of them.
 *
 * <p>The first request asks for the first bytes only; its {@code Content-Range} tells the length
 * and its ETag (else Last-Modified) the validator that every chunk request then sends in
 * {@code If-Range}; its body becomes the start of the first chunk. It also tells where the API
 * redirected the download: {@link DownloadLink} sends every chunk there, asking the API again only
 * for a fresh link. Every request goes over HTTP/1.1, so that n connections are n TCP connections,
 * each with its own window and its own share of a per-connection cap, not n streams of one HTTP/2
 * connection. A server that ignores ranges or names no validator, or a small file, is left to the
 * one-connection path, which then asks again from byte 0 (at most the first bytes were received in
 * vain). The chunks' progress is kept in a {@link RangeMap} beside the part file, written before the
 * part file is created and removed after the file is moved into place: a part file with a map is
 * this class's to continue (over any number of connections) or drop, one without a map is the
 * one-connection path's.
 */
final class RangedDownload {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Pattern FIRST_BYTES = Pattern.compile("bytes 0-(\\d+)/(\\d+)");
    /** The smallest chunk by default: a request must bring enough to be worth its round trip. */
    static final long MIN_RANGE_BYTES = 1024 * 1024;
    /**
     * The largest chunk: small enough that the hash follows closely behind the connections, and that
     * the last chunks leave few connections idle at the end; large enough that a request per chunk
     * costs nothing that counts.
     */
    static final long CHUNK_BYTES = 8L * 1024 * 1024;
    /** A smaller file is cut into smaller chunks, so that each connection still gets about this many. */
    static final int CHUNKS_PER_CONNECTION = 4;
    private static final long CHUNK_ALIGNMENT = 64 * 1024;
    /** The file must be at least this many of the smallest chunks long to be split at all. */
    private static final int MIN_CHUNKS = 8;
    private static final long PROBE_BYTES = 64 * 1024;

    private final ExportApi api;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final long minRangeBytes;

    /**
     * @param minRangeBytes the smallest chunk: a file shorter than {@value #MIN_CHUNKS} of them, or
     *     than one per connection, is downloaded over one connection
     */
    RangedDownload(ExportApi api, RetryPolicy policy, Sleeper sleeper, long minRangeBytes) {
        this.api = api;
        this.policy = policy;
        this.sleeper = sleeper;
        this.minRangeBytes = minRangeBytes;
    }

    /**
     * Downloads into {@code part} (continuing the chunks of an earlier process), then moves it to
     * {@code target}; or, when the file is better downloaded over one connection, returns empty
     * with no part file touched but for dropping one whose chunks cannot be continued.
     *
     * @throws IOException if a chunk broke and could not be resumed, or the part file could not be
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
        DownloadLink link = new DownloadLink(api.transport(), requests);
        ApiRequest ranged = ApiRequest.download(uri).toFile().overHttp11().withHeader("Accept-Encoding", "identity");
        Exchange probe = null;
        if (map == null) {
            if (request.parallelism() == 1 || Files.exists(part)) {
                return Optional.empty(); // a part file without chunks is the one-connection path's, and continued by it
            }
            probe = probe(link, ranged, request);
            if (probe == null) {
                return Optional.empty();
            }
            try {
                long length = lengthOf(probe);
                map = RangeMap.plan(length, validatorOf(probe), chunkBytes(length, request.parallelism()));
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
        return Optional.of(fetch(link, ranged, request, map, probe, target, part, mapFile, requests, started));
    }

    /**
     * The chunks of an earlier process to continue, or null; a part file whose chunks cannot be
     * continued (a torn map, another length) is dropped with its map.
     */
    private static RangeMap continued(DownloadRequest request, Path part, Path mapFile) throws IOException {
        if (!Files.exists(mapFile)) {
            return null;
        }
        Optional<RangeMap> map = RangeMap.read(mapFile);
        boolean present = Files.isRegularFile(part);
        String mismatch = !present ? "" : map.isEmpty() ? "its range map " + mapFile + " is unreadable"
                : Files.size(part) != map.get().length() ? "it has " + Files.size(part) + " bytes, not the "
                        + map.get().length() + " of its range map" : null;
        if (mismatch == null) {
            LOG.info("export {}: continuing the partial file {} over {} connection(s): {} of {} bytes received, "
                    + "{} of {} chunks to fetch", request.exportId(), part, request.parallelism(), map.get().bytes(),
                    map.get().length(), map.get().incomplete(), map.get().count());
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
     * The chunk size for a file of {@code length} bytes: {@value #CHUNK_BYTES}, or less so that each
     * connection gets about {@value #CHUNKS_PER_CONNECTION} chunks, but not less than the smallest;
     * then evened out so that the chunks are a multiple of the connections where it can be: with
     * connections of one speed (a cap per connection), all of them then finish at once, instead of
     * one fetching a last chunk while the others idle.
     */
    private long chunkBytes(long length, int connections) {
        long share = length / ((long) connections * CHUNKS_PER_CONNECTION);
        long size = Math.max(minRangeBytes, Math.min(CHUNK_BYTES, share));
        long chunks = (length + size - 1) / size;
        chunks = (chunks + connections - 1) / connections * connections;
        long even = (length + chunks - 1) / chunks;
        return Math.max(minRangeBytes, (even + CHUNK_ALIGNMENT - 1) / CHUNK_ALIGNMENT * CHUNK_ALIGNMENT);
    }

    /**
     * Asks for the file's first bytes; the answer if the file is to be split, else null (the answer
     * closed): not a range of the identity bytes with a length and validator, or a small file.
     */
    private Exchange probe(DownloadLink link, ApiRequest ranged, DownloadRequest request) {
        long probeBytes = Math.min(PROBE_BYTES, minRangeBytes);
        Exchange exchange = link.send(ranged.withHeader("Range", "bytes=0-" + (probeBytes - 1)), "first bytes");
        if (exchange.status() != 200 && exchange.status() != 206 && exchange.status() != 416) {
            throw Errors.toException(exchange, api.clock());
        }
        long length = lengthOf(exchange);
        long smallest = Math.max(MIN_CHUNKS, request.parallelism()) * minRangeBytes;
        String refusal = exchange.status() != 206 ? "the server answered " + exchange.status() + " to a range request"
                : !(exchange.body() instanceof DirectBody) ? "the server answered a range request with a body of type "
                        + exchange.headers().firstValue("Content-Type").orElse("?") + " and Content-Encoding "
                        + exchange.headers().firstValue("Content-Encoding").orElse("identity")
                : length < 0 || lastOf(exchange) != Math.min(probeBytes, length) - 1 ? "the server answered "
                        + "bytes=0-" + (probeBytes - 1) + " with Content-Range "
                        + exchange.headers().firstValue("Content-Range").orElse("<none>")
                : validatorOf(exchange) == null ? "the server names no validator (ETag or Last-Modified) that would "
                        + "keep the chunks of one version"
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

    private DownloadResult fetch(DownloadLink link, ApiRequest ranged, DownloadRequest request, RangeMap map,
                                 Exchange probe, Path target, Path part, Path mapFile, AtomicInteger requests,
                                 long started) throws IOException {
        String sha256;
        AtomicInteger resumes;
        Exchange first = probe;
        int connections = Math.max(1, Math.min(request.parallelism(), map.incomplete()));
        try (ParallelFetch run = new ParallelFetch(request.exportId(), map, part, mapFile, connections)) {
            resumes = run.resumes();
            for (int i = 0; i < connections; i++) {
                RangeFetch fetch = new RangeFetch(link, ranged, map, part, policy, sleeper, api.clock(), resumes);
                Exchange handed = first; // a probe exists only when no chunk is complete: it goes to the first
                first = null;
                run.start(fetch, handed);
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
        LOG.debug("export {}: {} bytes over {} connection(s) in {} chunks of {} bytes, {} request(s), {} of them to "
                + "the API", request.exportId(), map.length(), connections, map.count(), map.chunkBytes(),
                requests.get(), link.apiCalls());
        return new DownloadResult(target, map.length(), requests.get(), resumes.get(),
                Duration.ofNanos(System.nanoTime() - started), sha256);
    }
}
