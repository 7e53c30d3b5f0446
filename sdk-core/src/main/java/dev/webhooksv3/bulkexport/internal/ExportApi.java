package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.ExportFailedException;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.ExportWaitTimeoutException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.net.ProtocolException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The operations behind {@code BulkExportClient}; it only validates and delegates. */
public final class ExportApi {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Set<Integer> OK = Set.of(200);
    private static final Set<Integer> STARTED = Set.of(200, 201, 202);
    private static final Duration SLOT_POLL_MIN = Duration.ofSeconds(1);
    private static final Duration SLOT_POLL_MAX = Duration.ofSeconds(30);
    /** How far a job's createdAt may precede the start call and still be adopted (server clock skew). */
    static final Duration ADOPTION_SKEW = Duration.ofSeconds(30);
    private static final int MAX_PAGES = 1_000;

    private final URI baseUri;
    private final URI customerRoot;
    private final String exportSegments;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final Transport transport;

    /**
     * Wires the transport chain: auth → retry → send.
     *
     * @param baseUri the API base, an origin with an optional path prefix
     * @param customerId the customer id, already validated
     * @param exportSegments the collection path below a subscription ("exports" or "events/exports")
     * @param tokens how to get the token provider: the user's as given, or client credentials bound here
     * @param policy the retry policy
     * @param httpClient a client that does not follow redirects
     * @param requestTimeout the timeout of each attempt
     * @param clock the clock
     * @param sleeper the sleeper for every wait
     */
    public ExportApi(URI baseUri, String customerId, String exportSegments, TokenBinding tokens, RetryPolicy policy,
                     HttpClient httpClient, Duration requestTimeout, Clock clock, Sleeper sleeper) {
        String base = baseUri.toString();
        this.baseUri = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        this.customerRoot = URI.create(this.baseUri + "/" + customerId + "/");
        this.exportSegments = exportSegments;
        this.policy = policy;
        this.clock = clock;
        this.sleeper = sleeper;
        Transport retrying = new RetryingTransport(new HttpTransport(httpClient, this.baseUri, requestTimeout),
                policy, sleeper, clock);
        this.transport = new AuthenticatingTransport(retrying,
                tokens.bind(customerRoot.resolve("login/token"), retrying, clock), clock);
    }

    /**
     * Maps a JSON object to a value, or says what is wrong with it; relative links in it resolve
     * against the URI that answered ({@code exchange.uri()}).
     */
    @FunctionalInterface
    private interface Mapper<T> {
        T map(JsonNode node, Exchange exchange) throws Json.ShapeException;
    }


    private URI subscription(String subscriptionId) {
        return customerRoot.resolve("webhooks/subscriptions/" + Ids.require("subscriptionId", subscriptionId) + "/");
    }

    private URI collection(String subscriptionId) {
        return subscription(subscriptionId).resolve(exportSegments);
    }

    private URI job(String subscriptionId, String exportId) {
        return subscription(subscriptionId).resolve(exportSegments + "/" + Ids.require("exportId", exportId));
    }

    public ExportJobList listExports(String subscriptionId) {
        URI next = collection(subscriptionId);
        Set<URI> seen = new HashSet<>();
        List<ExportJob> jobs = new ArrayList<>();
        Long total = null;
        while (next != null) {
            if (!seen.add(next) || seen.size() > MAX_PAGES) {
                throw new BulkExportException("GET " + next.getRawPath() + ": export list pages link back to a page "
                        + "already read (or exceed " + MAX_PAGES + " pages)", null);
            }
            Page page = call(ApiRequest.get(next), OK, (node, exchange) -> new Page(
                    node.hasNonNull("total") ? Json.count(node, "total") : null,
                    Json.jobs(node, exchange.uri()),
                    Json.links(node, exchange.uri()).get("next")));
            jobs.addAll(page.jobs());
            total = total == null ? page.total() : total;
            next = page.next() == null ? null : requireApiOrigin(page.next(), "_links.next");
        }
        return new ExportJobList(total == null ? jobs.size() : total, jobs);
    }

    private record Page(Long total, List<ExportJob> jobs, URI next) {
    }

    private URI requireApiOrigin(URI link, String what) {
        if (!Origins.sameOrigin(link, baseUri)) {
            throw new BulkExportException("refusing to follow " + what + " to another origin ("
                    + link.getScheme() + "://" + link.getAuthority() + "): the API is " + baseUri, null);
        }
        return link;
    }

    public ExportJob getExport(String subscriptionId, String exportId) {
        return call(ApiRequest.get(job(subscriptionId, exportId)), OK, (node, exchange) -> Json.job(node, exchange.uri()));
    }

    public ExportJob cancelExport(String subscriptionId, String exportId) {
        ApiRequest delete = new ApiRequest("DELETE", job(subscriptionId, exportId),
                Map.of("Accept", "application/json"), null, true, false);
        return call(delete, Set.of(200, 202), (node, exchange) -> Json.job(node, exchange.uri()));
    }

    public ExportJob awaitExport(String subscriptionId, String exportId, AwaitOptions options) {
        URI uri = job(subscriptionId, exportId);
        Instant started = clock.instant();
        Instant deadline = started.plus(options.deadline());
        pause(min(options.initialDelay(), options.deadline()), "waiting for export job " + exportId);
        Duration interval = options.minPollInterval();
        while (true) {
            Duration[] retryAfter = new Duration[1];
            ExportJob job = call(ApiRequest.get(uri), OK, (node, exchange) -> {
                retryAfter[0] = Errors.retryAfter(exchange, clock).orElse(null);
                return Json.job(node, exchange.uri());
            });
            options.progressListener().accept(job);
            if (job.state().isTerminal()) {
                if (job.state().equals(ExportState.COMPLETED) || options.acceptAnyTerminalState()) {
                    return job;
                }
                throw new ExportFailedException(job);
            }
            Instant now = clock.instant();
            if (!now.isBefore(deadline)) {
                throw new ExportWaitTimeoutException(exportId, job.state(), Duration.between(started, now));
            }
            Duration wait = retryAfter[0] != null ? retryAfter[0] : interval;
            LOG.debug("export job {} is {}; next poll in {} ms", exportId, job.state(), wait.toMillis());
            pause(min(wait, Duration.between(now, deadline)), "waiting for export job " + exportId);
            interval = min(interval.multipliedBy(2), options.maxPollInterval());
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /**
     * Opens the export file, decoded, resuming across broken connections; the caller closes it.
     *
     * @param subscriptionId the subscription
     * @param exportId the export job
     * @return the file's bytes
     */
    public InputStream openExport(String subscriptionId, String exportId) {
        return download(subscriptionId, exportId, 0, null);
    }

    private ResumingInputStream download(String subscriptionId, String exportId, long from, String validator) {
        URI uri = URI.create(job(subscriptionId, exportId) + "/download");
        ApiRequest get = new ApiRequest("GET", uri, Map.of(
                "Accept", "application/x-ndjson, application/json;q=0.9, */*;q=0.5",
                "Accept-Encoding", "gzip"), null, true, true);
        return new ResumingInputStream(transport, get, from, validator, policy, sleeper, clock);
    }

    public DownloadResult downloadExport(DownloadRequest request) {
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
                result = downloadTo(request, target, part, partValidator, started);
            } catch (ResumingInputStream.ContentChangedException changed) {
                LOG.warn("export {} changed on the server during its download ({}); downloading it again from the start",
                        request.exportId(), changed.getMessage());
                Files.deleteIfExists(part);
                Files.deleteIfExists(partValidator);
                result = downloadTo(request, target, part, partValidator, started);
            }
            Files.deleteIfExists(partValidator);
            return result;
        } catch (IOException e) {
            throw new TransportException("download of export " + request.exportId() + " to " + target + " failed: "
                    + e.getMessage() + " (the partial file " + part + " is kept for resuming)", e);
        }
    }

    /** Downloads into {@code part} (continuing it if present), then moves it to {@code target}. */
    private DownloadResult downloadTo(DownloadRequest request, Path target, Path part, Path partValidator,
                                      long started) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
        long existing = Files.isRegularFile(part) ? hash(part, sha256) : 0;
        String knownValidator = existing > 0 && Files.isRegularFile(partValidator)
                ? Files.readString(partValidator).strip() : null;
        long bytes = existing;
        try (ResumingInputStream in = download(request.subscriptionId(), request.exportId(), existing, knownValidator);
             FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.APPEND)) {
            if (in.validator() != null && !in.validator().equals(knownValidator)) {
                Files.writeString(partValidator, in.validator());
            }
            OptionalLong total = in.total() >= 0 ? OptionalLong.of(in.total()) : OptionalLong.empty();
            byte[] buffer = new byte[COPY_BUFFER];
            long reportedAt = System.nanoTime();
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha256.update(buffer, 0, n);
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                bytes += n;
                long now = System.nanoTime();
                if (now - reportedAt >= PROGRESS_EVERY_NANOS) {
                    reportedAt = now;
                    request.progressListener().accept(progress(bytes - existing, bytes, total, started, in.resumes()));
                }
            }
            out.force(true);
            request.progressListener().accept(progress(bytes - existing, bytes, total, started, in.resumes()));
            Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new DownloadResult(target, bytes, in.requests(), in.resumes(),
                    Duration.ofNanos(System.nanoTime() - started), HexFormat.of().formatHex(sha256.digest()));
        }
    }

    private static final int COPY_BUFFER = 256 * 1024;
    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;

    private static DownloadProgress progress(long transferred, long bytes, OptionalLong total, long startedNanos,
                                             int resumes) {
        double seconds = Math.max(1e-9, (System.nanoTime() - startedNanos) / 1e9);
        return new DownloadProgress(bytes, total, transferred / seconds, resumes);
    }

    private static long hash(Path file, MessageDigest digest) throws IOException {
        long size = 0;
        byte[] buffer = new byte[COPY_BUFFER];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
                size += n;
            }
        }
        return size;
    }

    public RecoveryResult recoverFailedEvents(RecoveryRequest request, EventHandler handler) {
        return new Recovery(this, clock, request).run(handler);
    }

    public EventSummary summary(String subscriptionId) {
        return call(ApiRequest.get(subscription(subscriptionId).resolve("summary")), OK, (node, exchange) -> Json.summary(node));
    }

    public ExportJob startExport(StartExportRequest request) {
        String subscriptionId = Ids.require("subscriptionId", request.subscriptionId());
        Instant deadline = clock.instant().plus(request.waitForFreeSlot());
        Duration pollEvery = SLOT_POLL_MIN;
        while (true) {
            try {
                return startOnce(subscriptionId);
            } catch (ConflictException busy) {
                Instant now = clock.instant();
                if (!busy.isTooManyActiveExports() || !now.isBefore(deadline)) {
                    throw busy;
                }
                Duration left = Duration.between(now, deadline);
                Duration wait = busy.retryAfter().filter(after -> after.compareTo(SLOT_POLL_MIN) > 0).orElse(pollEvery);
                wait = wait.compareTo(left) < 0 ? wait : left;
                LOG.info("another export is active for subscription {}; trying again in {} ms ({} ms left)",
                        subscriptionId, wait.toMillis(), left.toMillis());
                pause(wait, "waiting for a free export slot");
                pollEvery = pollEvery.multipliedBy(2).compareTo(SLOT_POLL_MAX) < 0 ? pollEvery.multipliedBy(2) : SLOT_POLL_MAX;
            }
        }
    }

    /**
     * POSTs once; when the outcome is unknown (the request may have reached the server), adopts a
     * job created since the call began before sending again.
     */
    private ExportJob startOnce(String subscriptionId) {
        Instant began = clock.instant();
        ApiRequest post = new ApiRequest("POST", collection(subscriptionId), Map.of("Accept", "application/json"),
                null, false, false);
        List<BulkExportException> unknown = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            BulkExportException failure;
            try {
                return call(post, STARTED, (node, exchange) -> Json.job(node, exchange.uri()));
            } catch (TransportException | ApiException e) {
                if (!isOutcomeUnknown(e)) {
                    throw e;
                }
                failure = e;
            }
            unknown.forEach(failure::addSuppressed);
            Optional<ExportJob> adopted;
            try {
                adopted = findJobCreatedSince(subscriptionId, began);
            } catch (BulkExportException listFailed) {
                failure.addSuppressed(listFailed);
                throw failure;
            }
            if (adopted.isPresent()) {
                LOG.info("start of an export for subscription {} had an unknown outcome ({}); adopted job {} ({}) "
                        + "created since the call began", subscriptionId, failure.getMessage(),
                        adopted.get().id(), adopted.get().state());
                return adopted.get();
            }
            if (attempt >= policy.maxAttempts()) {
                throw failure;
            }
            LOG.info("start of an export for subscription {} had an unknown outcome and no new job exists; "
                    + "sending it again (attempt {}/{})", subscriptionId, attempt + 1, policy.maxAttempts());
            unknown.add(failure);
            pause(policy.initialBackoff(), "waiting to send the export start again");
        }
    }

    private static boolean isOutcomeUnknown(BulkExportException failure) {
        if (failure instanceof ServerException server) {
            return server.status() == 500 || server.status() == 502 || server.status() == 504;
        }
        if (failure instanceof ApiException answered) {
            // A 2xx whose body cannot be read: the job was probably made, but the caller has no id.
            return answered.status() >= 200 && answered.status() < 300;
        }
        Throwable cause = failure.getCause();
        return !(cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
                || cause instanceof ProtocolException);
    }

    Optional<ExportJob> findJobCreatedSince(String subscriptionId, Instant began) {
        Instant earliest = began.minus(ADOPTION_SKEW);
        return listExports(subscriptionId).jobs().stream()
                .filter(job -> job.state().equals(ExportState.PROCESSING) || job.state().equals(ExportState.COMPLETED))
                .filter(job -> job.createdAt() != null && !job.createdAt().isBefore(earliest))
                .max(Comparator.comparing((ExportJob job) -> job.state().equals(ExportState.PROCESSING))
                        .thenComparing(ExportJob::createdAt));
    }

    private void pause(Duration wait, String what) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException("interrupted while " + what, e);
        }
    }

    private <T> T call(ApiRequest request, Set<Integer> accepted, Mapper<T> mapper) {
        try (Exchange exchange = transport.exchange(request)) {
            if (!accepted.contains(exchange.status())) {
                throw Errors.toException(exchange, clock);
            }
            byte[] body = exchange.bytes();
            try {
                return mapper.map(Json.parseObject(body), exchange);
            } catch (Json.ShapeException e) {
                throw Errors.unreadable(exchange, body, e.getMessage(), true);
            }
        }
    }

    @Override
    public String toString() {
        return "ExportApi[" + customerRoot + "]";
    }
}
