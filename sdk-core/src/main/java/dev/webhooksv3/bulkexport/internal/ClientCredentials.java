package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.AccessToken;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;

/**
 * The client-credentials grant before it is given to a client: it holds the id and secret, and
 * {@link ExportApi} binds it to the client's token endpoint and transport.
 */
public final class ClientCredentials implements TokenProvider {

    private final String clientId;
    private final String clientSecret;

    /**
     * Holds the credentials.
     *
     * @param clientId the client id
     * @param clientSecret the client secret
     */
    public ClientCredentials(String clientId, String clientSecret) {
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(clientSecret, "clientSecret");
        if (clientId.isBlank() || clientSecret.isBlank()) {
            throw new IllegalArgumentException("clientId and clientSecret must not be blank");
        }
        this.clientId = clientId;
        this.clientSecret = clientSecret;
    }

    @Override
    public AccessToken token() {
        throw new IllegalStateException("TokenProvider.clientCredentials(…) obtains tokens only through a "
                + "BulkExportClient: pass it to BulkExportClient.builder().tokenProvider(…)");
    }

    Bound bind(URI tokenUri, Transport transport, Clock clock) {
        return new Bound(tokenUri, transport, clock, "Basic " + Base64.getEncoder().encodeToString(
                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)), clientId);
    }

    @Override
    public String toString() {
        return "ClientCredentials[clientId=" + clientId + ", clientSecret=<redacted>]";
    }

    /** The provider a client uses: cached token, refreshed before expiry, one request at a time. */
    static final class Bound implements TokenProvider {

        static final Duration DEFAULT_LIFETIME = Duration.ofHours(1);
        static final Duration MAX_MARGIN = Duration.ofSeconds(30);
        static final Duration MAX_LIFETIME = Duration.ofDays(1);
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

        Bound(URI tokenUri, Transport transport, Clock clock, String basicAuthorization, String clientId) {
            this.tokenUri = tokenUri;
            this.transport = transport;
            this.clock = clock;
            this.basicAuthorization = basicAuthorization;
            this.clientId = clientId;
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
         * Maps the token answer. Each failure gets a fixed message: never the parser's, which
         * quotes the body, and the body may hold a token.
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
                throw Errors.unreadable(exchange, body, "member \"expires_in\" is not a whole number of seconds",
                        false);
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
            return "ClientCredentials[clientId=" + clientId + ", clientSecret=<redacted>, tokenUri=" + tokenUri + "]";
        }
    }
}
