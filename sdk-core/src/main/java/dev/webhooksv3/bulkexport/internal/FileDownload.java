package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An export's file, as a resuming stream or into a file: bytes go to {@code target.part}, whose
 * validator is kept in {@code target.part.validator} so that another process can resume it; the
 * complete file is forced to disk, atomically renamed to the target, and the rename forced too.
 */
public final class FileDownload {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final int COPY_BUFFER = 256 * 1024;
    private static final Duration PROGRESS_EVERY = Duration.ofMillis(250);

    private final ExportApi api;
    private final RetryPolicy policy;
    private final Sleeper sleeper;
    private final RangedDownload ranged;

    /** The smallest chunk of a parallel download, unless a test asks for less. */
    public static final long DEFAULT_MIN_RANGE_BYTES = RangedDownload.MIN_RANGE_BYTES;

    /** {@code minRangeBytes}: the smallest chunk of a parallel download ({@link #DEFAULT_MIN_RANGE_BYTES}). */
    public FileDownload(ExportApi api, RetryPolicy policy, Sleeper sleeper, long minRangeBytes) {
        this.api = api;
        this.policy = policy;
        this.sleeper = sleeper;
        this.ranged = new RangedDownload(api, policy, sleeper, minRangeBytes);
    }

    /** The file's decoded bytes, resuming across broken connections; the caller closes it. */
    public InputStream open(String subscriptionId, String exportId) {
        return stream(ApiRequest.download(api.download(subscriptionId, exportId)), 0, null, validator -> { });
    }

    private ResumingInputStream stream(ApiRequest download, long from, String validator,
                                       Consumer<String> validatorListener) {
        return new ResumingInputStream(api.transport(), download, from, validator, validatorListener, policy, sleeper,
                api.clock());
    }

    /** Told where a download writes, for a reader that follows it ({@link GrowingFile}). */
    interface Listener {
        /** A (re)start: {@code part} holds {@code bytes} already; called before any byte is added. */
        void began(Path part, long bytes) throws IOException;

        /** {@code part} now holds {@code bytes}. */
        void wrote(long bytes);
    }

    private static final Listener NO_LISTENER = new Listener() {
        @Override
        public void began(Path part, long bytes) {
        }

        @Override
        public void wrote(long bytes) {
        }
    };

    public DownloadResult toFile(DownloadRequest request) {
        return toFile(request, NO_LISTENER);
    }

    /** Downloads as {@link #toFile(DownloadRequest)} does, telling {@code listener} how far it got. */
    DownloadResult toFile(DownloadRequest request, Listener listener) {
        URI uri = api.download(request.subscriptionId(), request.exportId()); // ids checked before any file is touched
        Path target = request.target().toAbsolutePath();
        Path part = target.resolveSibling(target.getFileName() + ".part");
        Path partValidator = target.resolveSibling(target.getFileName() + ".part.validator");
        long started = System.nanoTime();
        try {
            Files.createDirectories(target.getParent());
            if (!request.resumePartial()) {
                Files.deleteIfExists(part);
            }
            DownloadResult result;
            try {
                result = downloadTo(uri, request, target, part, partValidator, started, listener);
            } catch (ResumingInputStream.ContentChangedException changed) {
                LOG.warn("export {} changed on the server during its download ({}); downloading it again from the start",
                        request.exportId(), changed.getMessage());
                Files.deleteIfExists(part);
                Files.deleteIfExists(partValidator);
                result = downloadTo(uri, request, target, part, partValidator, started, listener);
            }
            Files.deleteIfExists(partValidator);
            return result;
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : (IOException) e;
            throw new TransportException("download of export " + request.exportId() + " to " + target + " failed: "
                    + cause.getMessage() + " (the partial file " + part + " is kept for resuming)", cause);
        }
    }

    /** Downloads into {@code part} (continuing it if present), then moves it to {@code target}. */
    private DownloadResult downloadTo(URI uri, DownloadRequest request, Path target, Path part, Path partValidator,
                                      long started, Listener listener) throws IOException {
        // Over several connections when asked for and the file suits; else (empty) over one.
        Optional<DownloadResult> parallel = ranged.download(uri, request, target, part, started);
        if (parallel.isPresent()) {
            return parallel.get();
        }
        MessageDigest sha256 = Disk.sha256();
        long existing = Files.isRegularFile(part) ? Disk.hash(part, sha256) : 0;
        String knownValidator = existing > 0 && Files.isRegularFile(partValidator)
                ? Files.readString(partValidator).strip() : null;
        listener.began(part, existing); // before the first request, which may find the file changed
        // Written before any byte received under it, so that a later process resumes under the right one.
        Consumer<String> keepValidator = validator -> {
            try {
                Files.writeString(partValidator, validator);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        try (ResumingInputStream in = stream(ApiRequest.download(uri).toFile(), existing, knownValidator,
                keepValidator);
             FileChannel out = appending(part);
             PartFile file = new PartFile(out, sha256, existing, listener)) {
            long[] reportedAt = {System.nanoTime()};
            Runnable tick = () -> {
                long now = System.nanoTime();
                if (now - reportedAt[0] >= PROGRESS_EVERY.toNanos()) {
                    reportedAt[0] = now;
                    request.progressListener().accept(progress(file.bytes() - existing, file.bytes(), in, started));
                }
            };
            copy(in, file, tick);
            String digest = file.sha256();
            file.force();
            request.progressListener().accept(progress(file.bytes() - existing, file.bytes(), in, started));
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Disk.forceDirectory(target.getParent());
            return new DownloadResult(target, file.bytes(), in.requests(), in.resumes(),
                    Duration.ofNanos(System.nanoTime() - started), digest);
        }
    }

    /** The part file, to write at its end and to read (the digest reads it back); APPEND forbids READ. */
    private static FileChannel appending(Path part) throws IOException {
        FileChannel channel = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.READ);
        try {
            return channel.position(channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Appends the rest of the file, resuming where a body broke or ended short: a {@link DirectBody}
     * is drained straight into the part file (the fast path); a stream (a gzip answer, decoded) is
     * copied through a buffer. The resumed answer may be of either kind.
     */
    private static void copy(ResumingInputStream in, PartFile file, Runnable tick) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER];
        while (true) {
            long before = file.bytes();
            IOException failure = null;
            boolean ended;
            try {
                ended = step(in.body(), file, buffer, tick);
            } catch (BoundedGzipInputStream.BombException bomb) {
                throw bomb;
            } catch (IOException e) {
                failure = e;
                ended = false;
            }
            in.advance(file.bytes() - before);
            if (failure == null && !ended) {
                continue;
            }
            if (failure == null && in.complete()) {
                return;
            }
            in.resume(failure != null ? failure : in.endedShort());
        }
    }

    /**
     * Drains a direct body to its end, or copies one read of a stream; whether the body ended.
     *
     * @throws IOException if the body broke (worth resuming)
     * @throws UncheckedIOException if the part file could not be written (not worth resuming)
     */
    private static boolean step(InputStream body, PartFile file, byte[] buffer, Runnable tick) throws IOException {
        if (body instanceof DirectBody direct) {
            try {
                direct.drainTo(file, PROGRESS_EVERY, tick);
            } finally {
                flushStaged(file); // what arrived before the body ended or broke counts, and is resumed after
            }
            return true;
        }
        int n = body.read(buffer);
        if (n < 0) {
            return true;
        }
        try {
            file.write(buffer, n);
        } catch (IOException disk) {
            throw new UncheckedIOException(disk);
        }
        tick.run();
        return false;
    }

    private static void flushStaged(PartFile file) {
        try {
            file.flush();
        } catch (IOException disk) {
            throw new UncheckedIOException(disk);
        }
    }

    private static DownloadProgress progress(long transferred, long bytes, ResumingInputStream in, long startedNanos) {
        long nanos = System.nanoTime() - startedNanos;
        double seconds = Math.max(1e-9, nanos / 1e9);
        OptionalLong total = in.total() >= 0 ? OptionalLong.of(in.total()) : OptionalLong.empty();
        return new DownloadProgress(bytes, total, transferred / seconds, Duration.ofNanos(nanos),
                Rates.remaining(total, bytes, transferred / seconds), in.resumes());
    }
}
