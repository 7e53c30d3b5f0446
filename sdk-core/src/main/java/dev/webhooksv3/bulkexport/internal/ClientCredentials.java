package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.AccessToken;
import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.AuthenticationException;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RateLimitedException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.ServerException;
import dev.webhooksv3.bulkexport.TokenProvider;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * The client-credentials grant: a token from the token endpoint (HTTP Basic, form body), cached
 * and refreshed shortly before it expires.
 *
 * <p>Single flight: the first caller that finds no fresh token fetches one (with the retry
 * policy's attempts) and publishes the fetch as a future under a short lock; every caller that
 * arrives meanwhile waits on that future, interruptibly, and shares its token or its failure. A
 * failure is remembered for {@link #FAILURE_MEMORY} on the clock, so that a storm of callers
 * does not start fetch after fetch against an endpoint that just failed every attempt; each
 * caller gets its own exception of the same type, the shared one attached. An interrupt of the
 * fetching thread is not shared: a waiter then fetches in its place.
 */
public final class ClientCredentials implements TokenProvider {

    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    static final Duration MAX_MARGIN = Duration.ofSeconds(30);
    static final Duration MAX_LIFETIME = Duration.ofDays(1);
    /** How long a failed fetch is given to later callers instead of a new fetch. */
    static final Duration FAILURE_MEMORY = Duration.ofSeconds(1);
    /** The defaults of {@code BulkExportClient.Builder}, for a provider that has no client. */
    private static final Duration STANDALONE_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration STANDALONE_REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final byte[] FORM = "grant_type=client_credentials&scope=*:webhooks/**"
            .getBytes(StandardCharsets.US_ASCII);

    private final URI tokenUri;
    private final Transport transport;
    private final Clock clock;
    private final String basicAuthorization;
    private final String clientId;
    private final Object lock = new Object();
    /** Written under {@link #lock}; read without it on the fast path. */
    private volatile Cached cached;
    /** The fetch in flight, or null; guarded by {@link #lock}. Completes with null if its thread was interrupted. */
    private CompletableFuture<Cached> inFlight;
    /** The last fetch's failure while it is remembered, or null; guarded by {@link #lock}. */
    private Failure failure;

    private record Cached(AccessToken token, Instant refreshAt) {
    }

    private record Failure(RuntimeException error, Instant forgetAt) {
    }

    private ClientCredentials(URI tokenUri, String clientId, String clientSecret, Transport transport, Clock clock) {
        this.tokenUri = tokenUri;
        this.transport = transport;
        this.clock = clock;
        this.clientId = clientId;
        this.basicAuthorization = "Basic " + Base64.getEncoder().encodeToString(
                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks the credentials now and returns the binding that makes a provider of them on a
     * client's own token endpoint and transport.
     *
     * @param clientId the client id
     * @param clientSecret the client secret
     * @return the binding
     * @throws IllegalArgumentException if either is blank (the message never shows the secret)
     */
    public static TokenBinding binding(String clientId, String clientSecret) {
        requireCredentials(clientId, clientSecret);
        return (tokenUri, transport, clock) -> new ClientCredentials(tokenUri, clientId, clientSecret, transport, clock);
    }

    /**
     * Returns a provider with a transport of its own: an HTTP client that never follows
     * redirects (the JDK would re-send the Basic credentials wherever a redirect points), the
     * default retry policy and the system clock.
     *
     * @param tokenEndpoint the token endpoint
     * @param clientId the client id
     * @param clientSecret the client secret
     * @return the provider
     * @throws IllegalArgumentException if the endpoint is not https (plain http only on
     *     loopback) or has user info, a query or a fragment, or a credential is blank
     */
    public static TokenProvider standalone(URI tokenEndpoint, String clientId, String clientSecret) {
        Origins.requireSecure(Objects.requireNonNull(tokenEndpoint, "tokenEndpoint"), "tokenEndpoint");
        if (tokenEndpoint.getRawUserInfo() != null || tokenEndpoint.getRawQuery() != null
                || tokenEndpoint.getRawFragment() != null) {
            throw new IllegalArgumentException("tokenEndpoint must have no user info, query or fragment: "
                    + tokenEndpoint.getScheme() + "://" + tokenEndpoint.getHost() + tokenEndpoint.getRawPath());
        }
        requireCredentials(clientId, clientSecret);
        HttpClient http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(STANDALONE_CONNECT_TIMEOUT)
                .build();
        Clock clock = Clock.systemUTC();
        Transport transport = new RetryingTransport(new HttpTransport(http, tokenEndpoint, STANDALONE_REQUEST_TIMEOUT),
                RetryPolicy.defaults(), Sleeper.SYSTEM, clock);
        return new ClientCredentials(tokenEndpoint, clientId, clientSecret, transport, clock);
    }

    private static void requireCredentials(String clientId, String clientSecret) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("clientId must not be blank");
        }
        if (clientSecret.isBlank()) {
            throw new IllegalArgumentException("clientSecret must not be blank");
        }
    }

    @Override
    public AccessToken token() {
        while (true) {
            Cached current = cached;
            if (isFresh(current)) {
                return current.token();
            }
            CompletableFuture<Cached> flight;
            boolean fetching = false;
            synchronized (lock) {
                current = cached;
                if (isFresh(current)) {
                    return current.token();
                }
                if (failure != null && clock.instant().isBefore(failure.forgetAt())) {
                    throw again(failure.error());
                }
                if (inFlight == null) {
                    inFlight = new CompletableFuture<>();
                    fetching = true;
                }
                flight = inFlight;
            }
            if (fetching) {
                return fetchFor(flight).token();
            }
            Cached shared = await(flight);
            if (shared != null) {
                return shared.token();
            }
            // The thread that fetched was interrupted: nothing to share; try again, perhaps fetching.
        }
    }

    /** Fetches on this thread and hands the outcome to every caller waiting on {@code flight}. */
    private Cached fetchFor(CompletableFuture<Cached> flight) {
        Cached fresh;
        try {
            fresh = fetch();
        } catch (RuntimeException | Error e) {
            boolean interrupted = Thread.currentThread().isInterrupted();
            synchronized (lock) {
                inFlight = null;
                if (!interrupted && e instanceof RuntimeException error) {
                    failure = new Failure(error, clock.instant().plus(FAILURE_MEMORY));
                }
            }
            if (interrupted) {
                flight.complete(null);
            } else {
                flight.completeExceptionally(e);
            }
            throw e;
        }
        synchronized (lock) {
            cached = fresh;
            failure = null;
            inFlight = null;
        }
        flight.complete(fresh);
        return fresh;
    }

    private Cached await(CompletableFuture<Cached> flight) {
        try {
            return flight.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BulkExportException("interrupted while waiting for an access token from POST "
                    + tokenUri.getRawPath(), e);
        } catch (ExecutionException e) {
            throw again(e.getCause());
        }
    }

    /**
     * The shared failure for one more caller: a fresh exception of the same type, so that callers
     * can still branch on it ({@link AuthenticationException} for refused credentials) and its
     * stack trace shows this caller, with the shared one (thrown where the fetch ran) attached.
     * {@link ApiException} takes no cause, so there the shared exception is a suppressed one.
     */
    private static RuntimeException again(Throwable shared) {
        RuntimeException fresh;
        if (shared instanceof ApiException api) {
            fresh = copy(api);
            fresh.addSuppressed(shared);
        } else if (shared instanceof TransportException transport
                && (transport.getCause() == null || transport.getCause() instanceof IOException)) {
            fresh = new TransportException(transport.getMessage(), (IOException) transport.getCause());
            fresh.addSuppressed(shared);
        } else if (shared instanceof BulkExportException) {
            fresh = new BulkExportException(shared.getMessage(), shared);
        } else {
            fresh = new BulkExportException("no access token: " + shared, shared);
        }
        return fresh;
    }

    private static ApiException copy(ApiException e) {
        String method = e.method();
        String path = e.path();
        int status = e.status();
        String title = e.title().orElse(null);
        String details = e.details().orElse(null);
        HttpHeaders headers = e.headers();
        String excerpt = e.bodyExcerpt();
        Duration retryAfter = e.retryAfter().orElse(null);
        if (e instanceof AuthenticationException) {
            return new AuthenticationException(method, path, status, title, details, headers, excerpt, retryAfter);
        }
        if (e instanceof RateLimitedException) {
            return new RateLimitedException(method, path, status, title, details, headers, excerpt, retryAfter);
        }
        if (e instanceof ServerException) {
            return new ServerException(method, path, status, title, details, headers, excerpt, retryAfter);
        }
        if (e instanceof NotFoundException) {
            return new NotFoundException(method, path, status, title, details, headers, excerpt, retryAfter);
        }
        if (e instanceof ConflictException) {
            return new ConflictException(method, path, status, title, details, headers, excerpt, retryAfter);
        }
        return new ApiException(method, path, status, title, details, headers, excerpt, retryAfter);
    }

    @Override
    public void invalidate(AccessToken rejected) {
        synchronized (lock) {
            Cached current = cached;
            if (current != null && current.token().equals(rejected)) {
                cached = null;
            }
        }
    }

    private boolean isFresh(Cached token) {
        return token != null && clock.instant().isBefore(token.refreshAt());
    }

    private Cached fetch() {
        ApiRequest request = ApiRequest.form(tokenUri, basicAuthorization, FORM);
        Instant requestedAt = clock.instant();
        try (Exchange exchange = transport.exchange(request)) {
            if (!exchange.isSuccess()) {
                throw Errors.toException(exchange, clock);
            }
            byte[] body = exchange.bytes();
            if (exchange.status() != 200) {
                throw Errors.unreadable(exchange, body, "the token endpoint answered " + exchange.status()
                        + ", not 200", false);
            }
            return read(exchange, body, requestedAt);
        }
    }

    /**
     * Maps the token answer. Each failure gets a fixed message: never the parser's, which quotes
     * the body, and the body may hold a token.
     */
    private static Cached read(Exchange exchange, byte[] body, Instant requestedAt) {
        JsonNode json;
        try {
            json = Json.parseObject(body);
        } catch (Json.ShapeException e) {
            throw Errors.unreadable(exchange, body, "the answer is not a JSON object", false);
        }
        String value = Json.text(json, "access_token");
        if (value == null || value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw Errors.unreadable(exchange, body, "the answer has no one-line \"access_token\"", false);
        }
        long seconds;
        try {
            seconds = Json.count(json, "expires_in");
        } catch (Json.ShapeException e) {
            throw Errors.unreadable(exchange, body, "member \"expires_in\" is not a whole number of seconds", false);
        }
        // Clamped: an absurd expires_in would overflow Instant arithmetic; refreshing early is harmless.
        Duration lifetime = seconds > 0 ? Duration.ofSeconds(Math.min(seconds, MAX_LIFETIME.toSeconds()))
                : DEFAULT_LIFETIME;
        Duration margin = lifetime.dividedBy(10).compareTo(MAX_MARGIN) < 0 ? lifetime.dividedBy(10) : MAX_MARGIN;
        Instant expiresAt = requestedAt.plus(lifetime);
        return new Cached(new AccessToken(value, expiresAt), expiresAt.minus(margin));
    }

    @Override
    public String toString() {
        return "ClientCredentials[tokenUri=" + tokenUri + ", clientId=" + clientId + ", clientSecret=<redacted>]";
    }
}
