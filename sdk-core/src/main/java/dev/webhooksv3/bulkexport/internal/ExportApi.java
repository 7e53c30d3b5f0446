package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.EventSummary;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportJobList;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API's resources: their URIs, one call to any of them, and the plain operations (list, get,
 * cancel, summary). Starting, awaiting and downloading build on it ({@link ExportStarter},
 * {@link ExportAwaiter}, {@link FileDownload}).
 */
public final class ExportApi {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");
    private static final Set<Integer> OK = Set.of(200);
    private static final int MAX_PAGES = 1_000;

    private final URI baseUri;
    private final URI customerRoot;
    private final String exportSegments;
    private final Transport transport;
    private final Clock clock;

    private ExportApi(URI baseUri, URI customerRoot, String exportSegments, Transport transport, Clock clock) {
        this.baseUri = baseUri;
        this.customerRoot = customerRoot;
        this.exportSegments = exportSegments;
        this.transport = transport;
        this.clock = clock;
    }

    /**
     * Wires the transport chain (auth → retry → send) for one client.
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
     * @return the API
     */
    public static ExportApi connect(URI baseUri, String customerId, String exportSegments, TokenBinding tokens,
                                    RetryPolicy policy, HttpClient httpClient, Duration requestTimeout, Clock clock,
                                    Sleeper sleeper) {
        String base = baseUri.toString();
        URI origin = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
        URI customerRoot = URI.create(origin + "/" + customerId + "/");
        Transport retrying = new RetryingTransport(new HttpTransport(httpClient, origin, requestTimeout),
                policy, sleeper, clock);
        TokenProvider bound = tokens.bind(customerRoot.resolve("login/token"), retrying, clock);
        return new ExportApi(origin, customerRoot, exportSegments,
                new AuthenticatingTransport(retrying, bound, origin, clock), clock);
    }

    /** Maps a JSON object to a value; relative links resolve against the URI that answered. */
    @FunctionalInterface
    interface Mapper<T> {
        T map(JsonNode node, Exchange exchange) throws Json.ShapeException;
    }

    URI subscription(String subscriptionId) {
        return customerRoot.resolve("webhooks/subscriptions/" + Ids.require("subscriptionId", subscriptionId) + "/");
    }

    URI collection(String subscriptionId) {
        return subscription(subscriptionId).resolve(exportSegments);
    }

    URI job(String subscriptionId, String exportId) {
        return subscription(subscriptionId).resolve(exportSegments + "/" + Ids.require("exportId", exportId));
    }

    URI download(String subscriptionId, String exportId) {
        return URI.create(job(subscriptionId, exportId) + "/download");
    }

    Transport transport() {
        return transport;
    }

    Clock clock() {
        return clock;
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

    URI requireApiOrigin(URI link, String what) {
        if (!Origins.sameOrigin(link, baseUri)) {
            throw new BulkExportException("refusing to follow " + what + " to another origin ("
                    + link.getScheme() + "://" + link.getAuthority() + "): the API is " + baseUri, null);
        }
        return link;
    }

    public ExportJob getExport(String subscriptionId, String exportId) {
        return call(ApiRequest.get(job(subscriptionId, exportId)), OK, (node, exchange) -> Json.job(node, exchange.uri()));
    }

    /**
     * Cancels a job; one that is already canceled is returned as it is. That makes a cancel whose
     * first answer was lost (the job canceled, then a gateway 504) and whose retry met 409 "already
     * canceled" report what happened: the job is canceled.
     */
    public ExportJob cancelExport(String subscriptionId, String exportId) {
        try {
            return call(ApiRequest.delete(job(subscriptionId, exportId)), Set.of(200, 202),
                    (node, exchange) -> Json.job(node, exchange.uri()));
        } catch (ConflictException conflict) {
            ExportJob job;
            try {
                job = getExport(subscriptionId, exportId);
            } catch (BulkExportException unreadable) {
                conflict.addSuppressed(unreadable);
                throw conflict;
            }
            if (!job.state().equals(ExportState.CANCELED)) {
                throw conflict;
            }
            LOG.info("cancel of export job {} answered 409 ({}); the job is canceled", exportId,
                    conflict.details().orElse(conflict.getMessage()));
            return job;
        }
    }

    public EventSummary summary(String subscriptionId) {
        return call(ApiRequest.get(subscription(subscriptionId).resolve("summary")), OK,
                (node, exchange) -> Json.summary(node));
    }

    /** Sends one request and maps its JSON answer; any status not in {@code accepted} is the typed exception. */
    <T> T call(ApiRequest request, Set<Integer> accepted, Mapper<T> mapper) {
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
