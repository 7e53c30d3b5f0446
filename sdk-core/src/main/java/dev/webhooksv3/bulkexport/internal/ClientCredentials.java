package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.AccessToken;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The client-credentials grant: a token from the token endpoint (HTTP Basic, form body), cached
 * and refreshed shortly before it expires, one token request at a time.
 */
public final class ClientCredentials implements TokenProvider {

    static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
    static final Duration MAX_MARGIN = Duration.ofSeconds(30);
    static final Duration MAX_LIFETIME = Duration.ofDays(1);
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
    private volatile Cached cached;

    private record Cached(AccessToken token, Instant refreshAt) {
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
        Cached current = cached;
        if (isFresh(current)) {
            return current.token();
        }
        synchronized (lock) {
            current = cached;
            if (!isFresh(current)) {
                current = fetch();
                cached = current;
            }
            return current.token();
        }
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
        ApiRequest request = new ApiRequest("POST", tokenUri, Map.of(
                ApiRequest.AUTHORIZATION, basicAuthorization,
                "Content-Type", "application/x-www-form-urlencoded",
                "Accept", "application/json"), FORM, true, false);
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
