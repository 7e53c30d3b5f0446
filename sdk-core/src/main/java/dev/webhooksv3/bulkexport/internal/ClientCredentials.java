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
                try {
                    JsonNode json = Json.parseObject(body);
                    String value = Json.requiredText(json, "access_token", "token response");
                    long seconds = Json.count(json, "expires_in");
                    Duration lifetime = seconds > 0 ? Duration.ofSeconds(seconds) : DEFAULT_LIFETIME;
                    Duration margin = lifetime.dividedBy(10).compareTo(MAX_MARGIN) < 0 ? lifetime.dividedBy(10) : MAX_MARGIN;
                    Instant expiresAt = requestedAt.plus(lifetime);
                    return new Cached(new AccessToken(value, expiresAt), expiresAt.minus(margin));
                } catch (Json.ShapeException | IllegalArgumentException e) {
                    // Not e.getMessage(): the parser quotes the body, and the body may be a token.
                    throw Errors.unreadable(exchange, body,
                            "the answer is not a JSON object with a one-line access_token", false);
                }
            }
        }

        @Override
        public String toString() {
            return "ClientCredentials[clientId=" + clientId + ", clientSecret=<redacted>, tokenUri=" + tokenUri + "]";
        }
    }
}
