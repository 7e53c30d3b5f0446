package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.ClientCredentials;
import java.time.Instant;

/**
 * Supplies the bearer token sent with every API call.
 *
 * <p>Implementations must be thread-safe. The client calls {@link #token()} before each call
 * and, when the service rejects a token with 401 or 403, {@link #invalidate(AccessToken)}
 * before asking for a fresh one once.
 */
@FunctionalInterface
public interface TokenProvider {

    /**
     * Returns a token that is valid now.
     *
     * @return the token
     * @throws BulkExportException if no token can be obtained
     */
    AccessToken token();

    /**
     * Tells the provider that the service rejected {@code rejected}; a caching provider drops it
     * so the next {@link #token()} fetches a fresh one. The default does nothing.
     *
     * @param rejected the token the service refused
     */
    default void invalidate(AccessToken rejected) {
    }

    /**
     * Returns a provider of one fixed token that never expires (for tokens obtained elsewhere).
     *
     * @param token the bearer token
     * @return the provider; its {@code toString()} does not show the token
     */
    static TokenProvider of(String token) {
        AccessToken fixed = new AccessToken(token, Instant.MAX);
        return new TokenProvider() {
            @Override
            public AccessToken token() {
                return fixed;
            }

            @Override
            public String toString() {
                return "TokenProvider.of(<redacted>)";
            }
        };
    }

    /**
     * Returns a provider that obtains tokens from the service's token endpoint,
     * {@code POST {baseUri}/{customerId}/login/token}, with HTTP Basic authentication and the
     * client-credentials grant for scope {@code *:webhooks/**}.
     *
     * <p>The token is cached and refreshed shortly before it expires (never used in its last 30
     * seconds, or its last tenth for short-lived tokens); however many threads need a token, at
     * most one token request is in flight. It takes the base URI, customer id, retry policy and
     * HTTP client of the {@link BulkExportClient} it is given to, and can only be used through
     * a client.
     *
     * @param clientId the API client id
     * @param clientSecret the API client secret; never logged or shown
     * @return the provider
     */
    static TokenProvider clientCredentials(String clientId, String clientSecret) {
        return new ClientCredentials(clientId, clientSecret);
    }
}
