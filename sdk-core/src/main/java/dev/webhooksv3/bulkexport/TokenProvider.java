package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.ClientCredentials;
import java.net.URI;
import java.time.Instant;

/**
 * Supplies the bearer token sent with every API call.
 *
 * <p>A plain interface: the client uses a provider exactly as it is given, calling
 * {@link #token()} before each call and, when the service rejects a token with 401 or 403,
 * {@link #invalidate(AccessToken)} before asking for a fresh one once. It never inspects,
 * unwraps or replaces it, so a provider may be wrapped (for logging or metrics) or written from
 * scratch. Implementations must be thread-safe; {@code token()} runs on the caller's thread and
 * may block while it fetches.
 *
 * <p>Most applications do not need a provider: {@link BulkExportClient.Builder#clientCredentials}
 * obtains tokens on the client's own HTTP client, retry policy and clock. To wrap the
 * client-credentials provider, make one with {@link #clientCredentials(URI, String, String)} and
 * forward both methods:
 *
 * <pre>{@code
 * TokenProvider inner = TokenProvider.clientCredentials(
 *         URI.create("https://v1.api.us.janrain.com/" + customerId + "/login/token"), clientId, clientSecret);
 * TokenProvider counted = new TokenProvider() {
 *     public AccessToken token() {
 *         tokenCalls.increment();
 *         return inner.token();
 *     }
 *
 *     public void invalidate(AccessToken rejected) {
 *         inner.invalidate(rejected);   // forward it: see below
 *     }
 * };
 * BulkExportClient client = BulkExportClient.builder()
 *         .region("us")
 *         .customerId(customerId)
 *         .tokenProvider(counted)
 *         .build();
 * }</pre>
 *
 * <p>A lambda such as {@code () -> inner.token()} also works, but it inherits the no-op
 * {@code invalidate}: a token the service revokes before it expires then stays cached in
 * {@code inner}, and every call fails with {@link AuthenticationException} until the token nears
 * its expiry. A wrapper should forward {@code invalidate} too.
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
     * Returns a provider that obtains tokens from {@code tokenEndpoint} on its own, with HTTP
     * Basic authentication and the client-credentials grant for scope {@code *:webhooks/**}; for
     * the service that endpoint is {@code {baseUri}/{customerId}/login/token}.
     *
     * <p>Use it to wrap or share the provider (see the example above); otherwise prefer
     * {@link BulkExportClient.Builder#clientCredentials(String, String)}, which needs no endpoint
     * and uses the client's HTTP client, retry policy and clock. The token is cached and
     * refreshed shortly before it expires (never used in its last 30 seconds, or its last tenth
     * for short-lived tokens). However many threads need a token, one fetch serves them all:
     * callers arriving while it runs wait for it (interruptibly: an interrupted caller gets a
     * {@link BulkExportException} with its interrupt flag set) and share its token or its
     * failure, and a failure is given again, without a new request, to callers of the next
     * second, each as a fresh exception of the same type. The provider has its own HTTP client, which never follows redirects (the
     * credentials go to {@code tokenEndpoint} only), with a 10-second connect timeout and a
     * 30-second request timeout; it retries per {@link RetryPolicy#defaults()} and reads the
     * system clock.
     *
     * @param tokenEndpoint the token endpoint: https, or plain http on a loopback host only
     * @param clientId the API client id
     * @param clientSecret the API client secret; never logged or shown
     * @return the provider; its {@code toString()} does not show the secret
     * @throws IllegalArgumentException if the endpoint is not absolute, not https (off
     *     loopback), or has user info, a query or a fragment; or a credential is blank
     */
    static TokenProvider clientCredentials(URI tokenEndpoint, String clientId, String clientSecret) {
        return ClientCredentials.standalone(tokenEndpoint, clientId, clientSecret);
    }
}
