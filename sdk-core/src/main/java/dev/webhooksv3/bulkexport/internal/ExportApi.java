package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TokenProvider;
import dev.webhooksv3.bulkexport.TransportException;
import java.net.ConnectException;
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
     * @param tokens the token provider as the user gave it
     * @param policy the retry policy
     * @param httpClient a client that does not follow redirects
     * @param requestTimeout the timeout of each attempt
     * @param clock the clock
     * @param sleeper the sleeper for every wait
     */
    public ExportApi(URI baseUri, String customerId, String exportSegments, TokenProvider tokens, RetryPolicy policy,
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
        TokenProvider bound = tokens instanceof ClientCredentials credentials
                ? credentials.bind(customerRoot.resolve("login/token"), retrying, clock)
                : tokens;
        this.transport = new AuthenticatingTransport(retrying, bound, clock);
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
            } catch (TransportException | ServerException e) {
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
        Throwable cause = failure.getCause();
        return !(cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException
                || cause instanceof ProtocolException);
    }

    private Optional<ExportJob> findJobCreatedSince(String subscriptionId, Instant began) {
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
