package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;
import java.time.Clock;

/**
 * How a client obtains its token provider once its transport exists: a user's provider is taken
 * as given, client credentials are bound to the client's token endpoint and transport. The
 * binding is chosen by the builder method the user called, never by inspecting a provider: a
 * provider the user wrapped is used as the wrapper.
 */
@FunctionalInterface
public interface TokenBinding {

    /**
     * Returns the provider the client uses.
     *
     * @param tokenUri the client's token endpoint, {@code {baseUri}/{customerId}/login/token}
     * @param transport the client's transport below the auth layer (retrying, no bearer token)
     * @param clock the client's clock
     * @return the provider
     */
    TokenProvider bind(URI tokenUri, Transport transport, Clock clock);

    /**
     * Returns a binding that ignores the client and uses {@code provider} exactly as given.
     *
     * @param provider the user's provider
     * @return the binding
     */
    static TokenBinding of(TokenProvider provider) {
        return (tokenUri, transport, clock) -> provider;
    }
}
