package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.BulkRedelivery;
import dev.webhooksv3.bulkexport.internal.ClientCredentials;
import dev.webhooksv3.bulkexport.internal.Assessor;
import dev.webhooksv3.bulkexport.internal.EventsApi;
import dev.webhooksv3.bulkexport.internal.ExportApi;
import dev.webhooksv3.bulkexport.internal.ExportAwaiter;
import dev.webhooksv3.bulkexport.internal.ExportStarter;
import dev.webhooksv3.bulkexport.internal.FileDownload;
import dev.webhooksv3.bulkexport.internal.Ids;
import dev.webhooksv3.bulkexport.internal.Origins;
import dev.webhooksv3.bulkexport.internal.Recovery;
import dev.webhooksv3.bulkexport.internal.Sleeper;
import dev.webhooksv3.bulkexport.internal.TokenBinding;
import dev.webhooksv3.bulkexport.internal.UserAgent;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Client for the Webhooks v3 bulk export of failed events: start an export job, watch it, cancel
 * it, list jobs, read the subscription's event summary, and list and redeliver the events of its
 * event store.
 *
 * <p>Build one with {@link #builder()} and share it: it is immutable and thread-safe. Every
 * operation validates its ids before they enter a URL, sends the bearer token only to the API's
 * origin, retries transient failures per the {@link RetryPolicy}, and replays a call once with a
 * fresh token when the service answers 401 or 403. Failures are unchecked
 * {@link BulkExportException}s.
 *
 * <pre>{@code
 * BulkExportClient client = BulkExportClient.builder()
 *     .region("us")
 *     .customerId(customerId)
 *     .clientCredentials(clientId, clientSecret)
 *     .build();
 * ExportJob job = client.startExport(StartExportRequest.of(subscriptionId));
 * }</pre>
 */
public final class BulkExportClient {

    private final ExportApi api;
    private final ExportStarter starter;
    private final ExportAwaiter awaiter;
    private final FileDownload downloads;
    private final Recovery recovery;
    private final EventsApi events;
    private final Assessor assessor;
    private final String description;

    private BulkExportClient(ExportApi api, RetryPolicy policy, Sleeper sleeper, long minRangeBytes,
                             String description) {
        this.api = api;
        this.starter = new ExportStarter(api, policy, sleeper);
        this.awaiter = new ExportAwaiter(api, sleeper);
        this.downloads = new FileDownload(api, policy, sleeper, minRangeBytes);
        this.recovery = new Recovery(api, starter, awaiter, downloads, policy, sleeper);
        this.events = new EventsApi(api, policy, sleeper);
        this.assessor = new Assessor(api, events);
        this.description = description;
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with every option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the SDK's version, as sent in the {@code User-Agent} of every request
     * ({@code webhooks-bulkexport-java/<version> (Java/<java.version>)}).
     *
     * @return the version, e.g. {@code 0.1.0}, or {@code unknown} when the classes were built
     *     without Maven's resource filtering
     */
    public static String version() {
        return UserAgent.version();
    }

    /**
     * Lists the subscription's export jobs of the last 7 days, in any state, following
     * {@code _links.next} when the service pages the list.
     *
     * @param subscriptionId the webhook subscription
     * @return the jobs
     * @throws IllegalArgumentException if the id is not a safe path segment
     * @throws NotFoundException if the subscription does not exist
     * @throws AuthenticationException if the credentials are refused
     * @throws BulkExportException for any other failure
     */
    public ExportJobList listExports(String subscriptionId) {
        return api.listExports(subscriptionId);
    }

    /**
     * Starts an export of every failed event of the subscription not exported before.
     *
     * <p>Starting is not idempotent, so it is never blindly re-sent: when the outcome of the
     * request is unknown (the connection broke after sending, a gateway timed out) the client
     * lists the jobs and adopts a {@code processing} or {@code completed} job created since the
     * call began; only when there is none does it send again. With
     * {@link StartExportRequest#withWaitForFreeSlot(Duration)}, a 409 "Too many active exports"
     * is retried with backoff until the deadline.
     *
     * @param request the subscription and options
     * @return the new (or adopted) job, normally {@code processing}
     * @throws ConflictException if another export is active ({@code isTooManyActiveExports()})
     * @throws DailyExportLimitException if an export completed in the last 24 hours (the service
     *     allows one a day): {@code nextExportPossibleAt()} says when to try again
     *     and no wait was asked for or the wait ran out
     * @throws NotFoundException if the subscription does not exist
     * @throws BulkExportException for any other failure
     */
    public ExportJob startExport(StartExportRequest request) {
        Objects.requireNonNull(request, "request");
        return starter.start(request);
    }

    /**
     * Returns the current state of an export job.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @return the job
     * @throws IllegalArgumentException if an id is not a safe path segment
     * @throws NotFoundException if the job does not exist or has expired (after 7 days)
     * @throws BulkExportException for any other failure
     */
    public ExportJob getExport(String subscriptionId, String exportId) {
        return api.getExport(subscriptionId, exportId);
    }

    /**
     * Cancels an export job before it writes its file; its events stay exportable.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * <p>Cancelling a job that is already canceled returns it: a cancel whose answer was lost and
     * whose retry met 409 "already canceled" reports that the job is canceled, as it is.
     *
     * @return the job, normally {@code canceled}
     * @throws IllegalArgumentException if an id is not a safe path segment
     * @throws ConflictException if the job is already writing its file or has ended otherwise
     * @throws NotFoundException if the job does not exist
     * @throws BulkExportException for any other failure
     */
    public ExportJob cancelExport(String subscriptionId, String exportId) {
        return api.cancelExport(subscriptionId, exportId);
    }

    /**
     * Polls an export job until it ends, per {@code options}: an initial delay, then intervals
     * growing from the minimum to the maximum (a {@code Retry-After} on a status response sets
     * the next one), each observed job handed to the progress listener.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @param options the delays, deadline and listener
     * @return the job, {@code completed} (or any terminal state when
     *     {@link AwaitOptions#acceptingAnyTerminalState()} was asked for)
     * @throws ExportWaitTimeoutException if the deadline passes first; the job keeps running
     * @throws ExportFailedException if the job ends {@code failed}, {@code canceled} or in a state
     *     this SDK does not know, unless any terminal state was accepted
     * @throws BulkExportException if the thread is interrupted (its interrupt flag stays set), or
     *     for any failure of a poll
     */
    public ExportJob awaitExport(String subscriptionId, String exportId, AwaitOptions options) {
        Objects.requireNonNull(options, "options");
        return awaiter.await(subscriptionId, exportId, options);
    }

    /**
     * Downloads a completed export's file to {@link DownloadRequest#target()}.
     *
     * <p>The bytes go to {@code target + ".part"} in the same directory, which is flushed to disk
     * and atomically renamed to the target only when complete: a crash never leaves a partial file
     * under the final name. A broken connection or a body cut short is continued with
     * {@code Range} (and {@code If-Range}), and the final length is checked against what the
     * service announced; a {@code .part} file left by an earlier process is continued when
     * {@link DownloadRequest#resumePartial()} is set. Redirects (to pre-signed storage URLs) are
     * followed without the bearer token; {@code gzip} content encoding is decoded. With
     * {@link DownloadRequest#withParallelism(int)}, a large file is fetched as byte ranges over
     * several connections at once, each resumed on its own.
     *
     * @param request the export, target and options
     * @return the path, size, SHA-256 of the content, requests and resumes
     * @throws ConflictException if the job is still processing
     * @throws NotFoundException if the job or its file does not exist (or has expired)
     * @throws TransportException if the download broke and could not be resumed, or the file
     *     cannot be written (the {@code .part} file is kept for a later resume)
     * @throws BulkExportException for any other failure
     */
    public DownloadResult downloadExport(DownloadRequest request) {
        Objects.requireNonNull(request, "request");
        return downloads.toFile(request);
    }

    /**
     * Opens a completed export's file as a stream, for callers who store or forward it
     * themselves. Broken connections are resumed with {@code Range}; {@code gzip} is decoded.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @return the file's bytes; the caller must close it, which releases the connection
     * @throws ConflictException if the job is still processing
     * @throws NotFoundException if the job or its file does not exist
     * @throws BulkExportException for any other failure; reads may also throw it when the
     *     download cannot be resumed
     */
    public InputStream openExport(String subscriptionId, String exportId) {
        return downloads.open(subscriptionId, exportId);
    }

    /**
     * Streams a completed export's events straight from the API, downloading and parsing in one
     * pass in constant memory, with default {@link EventStreamOptions}. A broken connection is
     * resumed at the exact byte where it broke, so no line is lost or repeated.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @return the events; the caller must close the stream, which releases the connection
     * @throws ConflictException if the job is still processing
     * @throws NotFoundException if the job or its file does not exist
     * @throws BulkExportException for any other failure
     */
    public EventStream streamEvents(String subscriptionId, String exportId) {
        return streamEvents(subscriptionId, exportId, EventStreamOptions.defaults());
    }

    /**
     * Streams a completed export's events straight from the API; see
     * {@link #streamEvents(String, String)}.
     *
     * @param subscriptionId the webhook subscription
     * @param exportId the export job
     * @param options the malformed-line policy and line limit
     * @return the events; the caller must close the stream
     */
    public EventStream streamEvents(String subscriptionId, String exportId, EventStreamOptions options) {
        Objects.requireNonNull(options, "options");
        return EventStream.of(downloads.open(subscriptionId, exportId), options);
    }

    /**
     * Recovers the failed events of a subscription through one export job, in one call: chooses
     * the job, awaits it, downloads its file to the working directory (resumably) and hands each
     * event to {@code handler}, in file order, on the calling thread. Malformed lines are reported
     * to {@link RecoveryRequest#malformedLineHandler()}, counted and skipped.
     *
     * <p>The job is, in order: the one a crashed run left unfinished in the directory; the one
     * {@link RecoveryRequest#ofExport} names; an export of the last 7 days, running or completed,
     * that no checkpoint in the directory has handled (its events will never be exported again);
     * else a new export, when the summary shows anything exportable (or the request is forced),
     * waiting for a free slot. A job the service ends canceled or failed is abandoned and a new
     * export started (its events stay exportable).
     *
     * <p>The directory is locked for the whole run: a second run on it fails at once. Progress is
     * checkpointed per export after every event (fsynced at {@link RecoveryRequest#fsyncInterval()}).
     * Run it again after a crash, at any point, with the same working directory: it continues with
     * the same job and file and never hands an acknowledged event to the handler again; only the
     * event in flight at the crash may come twice (see {@link EventHandler}). A run after a
     * completed recovery recovers the next export, if there is one.
     *
     * @param request the subscription, working directory and options
     * @param handler receives each event
     * @return what was recovered
     * @throws DailyExportLimitException if a new export is needed but one completed in the last 24
     *     hours; the message names the export to recover instead, if any, and when to run again
     * @throws BulkExportException if a step fails or the handler throws (the cause); the progress
     *     made is kept for the next run
     */
    public RecoveryResult recoverFailedEvents(RecoveryRequest request, EventHandler handler) {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(handler, "handler");
        return recovery.run(request, handler);
    }

    /**
     * Returns the subscription's event counts; {@link EventSummary#exportable()} tells whether
     * an export would find anything. The service recomputes it at most once a day.
     *
     * @param subscriptionId the webhook subscription
     * @return the summary
     * @throws IllegalArgumentException if the id is not a safe path segment
     * @throws NotFoundException if the subscription does not exist
     * @throws BulkExportException for any other failure
     */
    public EventSummary summary(String subscriptionId) {
        return api.summary(subscriptionId);
    }

    /**
     * Lists the events of the subscription's event store (7 days) that the query selects, oldest
     * first, following {@code _links.next} page by page, only on the API's origin. The first page
     * is read before this method returns; each next one when the stream reaches it, so one page is
     * in memory at a time. Close the stream (try-with-resources) to stop early; no connection is
     * held between pages.
     *
     * @param query the subscription and filters
     * @return the events; the stream's operations throw {@link BulkExportException} when a later
     *     page cannot be read, is malformed (naming the page), or links to another origin
     * @throws NotFoundException if the subscription does not exist
     * @throws BulkExportException for any other failure of the first page
     */
    public Stream<StoredEvent> listEvents(EventQuery query) {
        Objects.requireNonNull(query, "query");
        return events.list(query);
    }

    /**
     * Returns one event of the subscription's event store.
     *
     * @param subscriptionId the webhook subscription
     * @param eventId the event
     * @return the event
     * @throws IllegalArgumentException if an id is not a safe path segment
     * @throws NotFoundException if the event is not in the store (or the subscription does not exist)
     * @throws BulkExportException for any other failure
     */
    public StoredEvent getEvent(String subscriptionId, String eventId) {
        return events.get(subscriptionId, eventId);
    }

    /**
     * Schedules a failed event for delivery again. A redelivery is not blindly re-sent: when the
     * outcome of the request is unknown, the event is read first, and one no longer failed is
     * reported as it is (its delivery is scheduled or done); only one still failed is sent again.
     *
     * @param subscriptionId the webhook subscription
     * @param eventId the event, in state {@link EventState#FAILURE}
     * @return the event after scheduling, normally {@link EventState#AWAITING_RETRY}; members the
     *     service's answer leaves out are empty
     * @throws IllegalArgumentException if an id is not a safe path segment
     * @throws RedeliveryRefusedException if the event is not failed or the subscription is disabled
     * @throws NotFoundException if the event is not in the store
     * @throws BulkExportException for any other failure
     */
    public StoredEvent redeliverEvent(String subscriptionId, String eventId) {
        return events.redeliver(subscriptionId, eventId);
    }

    /**
     * Redelivers many events as {@link #redeliverEvent} does, at most {@code concurrency} at a time,
     * each to its end: a refusal or failure is reported, never thrown. Each distinct id is
     * redelivered once. Interrupting the calling thread stops it from starting more (the rest are
     * {@link RedeliveryReport.Status#NOT_ATTEMPTED}); those in flight finish, the report is
     * returned and the thread's interrupt flag is set again.
     *
     * @param subscriptionId the webhook subscription
     * @param eventIds the events, in state {@link EventState#FAILURE}
     * @param concurrency how many redeliveries may be in flight at once, 1 to 64
     * @return each event's outcome, in the order given
     * @throws IllegalArgumentException if an id is not a safe path segment (nothing is sent) or
     *     {@code concurrency} is out of range
     */
    public RedeliveryReport redeliverEvents(String subscriptionId, List<String> eventIds, int concurrency) {
        return new BulkRedelivery(events).run(subscriptionId, eventIds, concurrency);
    }

    /**
     * Answers "do I need an export?" for a subscription, from the summary, the failed events of the
     * store and the completed exports of the last 7 days: see {@link FailedEventsAssessment} for the
     * recommendation and the service's rules behind it. Reads only; starts nothing.
     *
     * @param request the subscription, and optionally the recovery work directory whose checkpoints
     *     tell which completed exports were handled
     * @return the assessment
     * @throws ApiException if the service refuses a call
     * @throws TransportException on I/O failures after retries
     */
    public FailedEventsAssessment assessFailedEvents(AssessmentRequest request) {
        return assessor.assess(Objects.requireNonNull(request, "request"));
    }

    @Override
    public String toString() {
        return description;
    }

    /**
     * Builds a {@link BulkExportClient}. Not thread-safe; the client it builds is immutable.
     */
    public static final class Builder {

        private static final Pattern REGION = Pattern.compile("[a-z]{2,16}");

        private URI baseUri;
        private String region;
        private String customerId;
        private TokenProvider tokenProvider;
        private TokenBinding clientCredentials;
        private RetryPolicy retryPolicy = RetryPolicy.defaults();
        private HttpClient httpClient;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private ExportPathStyle pathStyle = ExportPathStyle.EXPORTS;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private long minRangeBytes = FileDownload.DEFAULT_MIN_RANGE_BYTES;

        private Builder() {
        }

        /**
         * Sets the API base URI, such as {@code https://v1.api.us.janrain.com}, without the
         * customer id. Plain {@code http} is refused unless the host is loopback. Required
         * unless {@link #region(String)} is set.
         *
         * @param uri the base URI
         * @return this builder
         * @throws IllegalArgumentException if the URI is not absolute, not https (off loopback),
         *     or has a query or fragment
         */
        public Builder baseUri(URI uri) {
            Origins.requireSecure(Objects.requireNonNull(uri, "baseUri"), "baseUri");
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("baseUri must have no user info, query or fragment: " + uri);
            }
            this.baseUri = uri;
            return this;
        }

        /**
         * Sets the region, which selects the base URI {@code https://v1.api.{region}.janrain.com}
         * (regions seen: {@code us}, {@code eu}, {@code au}, {@code jp}). Required unless
         * {@link #baseUri(URI)} is set.
         *
         * @param region the region code, lower case
         * @return this builder
         * @throws IllegalArgumentException if the region is not 2 to 16 lower-case letters
         */
        public Builder region(String region) {
            Objects.requireNonNull(region, "region");
            if (!REGION.matcher(region).matches()) {
                throw new IllegalArgumentException("region must be 2 to 16 lower-case letters, such as \"us\": \""
                        + region + "\"");
            }
            this.region = region;
            return this;
        }

        /**
         * Sets the customer id (the tenant). Required.
         *
         * @param customerId the customer id, a UUID
         * @return this builder
         * @throws IllegalArgumentException if it is not a safe path segment
         */
        public Builder customerId(String customerId) {
            this.customerId = Ids.require("customerId", customerId);
            return this;
        }

        /**
         * Authenticates with the client-credentials grant, the usual way: the client obtains
         * tokens from {@code POST {baseUri}/{customerId}/login/token} with HTTP Basic
         * authentication, on its own HTTP client, with its retry policy and clock. The token is
         * cached and refreshed shortly before it expires (never used in its last 30 seconds, or
         * its last tenth for short-lived tokens). However many threads need a token, one fetch
         * serves them all, and its failure too: callers of the next second get it again (a fresh
         * exception of the same type) without a new request, rather than hammering a failing
         * endpoint. Waiting for another thread's fetch is interruptible. Set this or
         * {@link #tokenProvider(TokenProvider)}.
         *
         * @param clientId the API client id
         * @param clientSecret the API client secret; never logged or shown
         * @return this builder
         * @throws IllegalArgumentException if either is blank (the message never shows the secret)
         */
        public Builder clientCredentials(String clientId, String clientSecret) {
            this.clientCredentials = ClientCredentials.binding(clientId, clientSecret);
            return this;
        }

        /**
         * Sets where bearer tokens come from: any provider, used exactly as given (never
         * inspected, unwrapped or replaced), such as {@link TokenProvider#of(String)} or a
         * wrapper around {@link TokenProvider#clientCredentials(URI, String, String)} that counts
         * or logs token requests. Set this or {@link #clientCredentials(String, String)}.
         *
         * @param tokenProvider the provider
         * @return this builder
         */
        public Builder tokenProvider(TokenProvider tokenProvider) {
            this.tokenProvider = Objects.requireNonNull(tokenProvider, "tokenProvider");
            return this;
        }

        /**
         * Sets the retry policy. Default: {@link RetryPolicy#defaults()}.
         *
         * @param retryPolicy the policy
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * Sets the HTTP client to use (for a proxy, an SSL context or an executor of your own).
         * It must not follow redirects: the SDK follows them itself so that the bearer token never
         * leaves the API's origin. Default: a client of its own with a 10-second connect timeout.
         *
         * @param httpClient a client built with {@code followRedirects(HttpClient.Redirect.NEVER)}
         * @return this builder
         * @throws IllegalArgumentException if the client follows redirects
         */
        public Builder httpClient(HttpClient httpClient) {
            Objects.requireNonNull(httpClient, "httpClient");
            if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                throw new IllegalArgumentException("httpClient must be built with followRedirects(Redirect.NEVER), "
                        + "not " + httpClient.followRedirects() + ": the JDK would forward the bearer token to "
                        + "whatever host a redirect names; the SDK follows redirects itself");
            }
            this.httpClient = httpClient;
            return this;
        }

        /**
         * Sets how long one attempt may wait for the response headers. Default: 30 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the spelling of the export collection path. Default: {@link ExportPathStyle#EXPORTS}.
         *
         * @param style the path style
         * @return this builder
         */
        public Builder exportPathStyle(ExportPathStyle style) {
            this.pathStyle = Objects.requireNonNull(style, "exportPathStyle");
            return this;
        }

        /**
         * Sets the clock that deadlines, token lifetimes and {@code Retry-After} dates are read
         * from, for fake clocks in tests: pair it with the emulator's clock
         * ({@code WebhooksEmulator.builder().clock(…)}) to move a job's lifecycle and a token's
         * expiry together. Waits still take real time. Default: {@link Clock#systemUTC()}.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Replaces the sleeper used for every wait (tests). */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Replaces the smallest range of a parallel download, 1 MiB (tests, with files of a few MiB). */
        Builder minRangeBytes(long bytes) {
            this.minRangeBytes = bytes;
            return this;
        }

        /**
         * Builds the client.
         *
         * @return the client, immutable and thread-safe
         * @throws IllegalStateException if the customer id, the credentials (client credentials
         *     or a token provider) or the base URI (or region) is missing, or both a base URI and a
         *     region, or both client credentials and a token provider, are set
         */
        public BulkExportClient build() {
            List<String> missing = new ArrayList<>();
            if (baseUri == null && region == null) {
                missing.add("baseUri (or region)");
            }
            if (customerId == null) {
                missing.add("customerId");
            }
            if (tokenProvider == null && clientCredentials == null) {
                missing.add("clientCredentials (or tokenProvider)");
            }
            if (!missing.isEmpty()) {
                throw new IllegalStateException("BulkExportClient.builder() is missing " + String.join(", ", missing));
            }
            if (baseUri != null && region != null) {
                throw new IllegalStateException("set either baseUri or region, not both (baseUri=" + baseUri
                        + ", region=" + region + ")");
            }
            if (tokenProvider != null && clientCredentials != null) {
                throw new IllegalStateException("set either clientCredentials(…) or tokenProvider(…), not both: "
                        + "a token provider is used exactly as given, so the client credentials would be ignored");
            }
            URI base = baseUri != null ? baseUri : URI.create("https://v1.api." + region + ".janrain.com");
            HttpClient client = httpClient != null ? httpClient : HttpClient.newBuilder()
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .connectTimeout(requestTimeout.compareTo(Duration.ofSeconds(10)) < 0
                            ? requestTimeout : Duration.ofSeconds(10))
                    .build();
            TokenBinding tokens = clientCredentials != null ? clientCredentials : TokenBinding.of(tokenProvider);
            ExportApi api = ExportApi.connect(base, customerId, pathStyle.segments(), tokens, retryPolicy,
                    client, requestTimeout, clock, sleeper);
            return new BulkExportClient(api, retryPolicy, sleeper, minRangeBytes,
                    "BulkExportClient[baseUri=" + base + ", customerId=" + customerId + "]");
        }
    }
}
