package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.AccessToken;
import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.TokenProvider;
import java.net.URI;
import java.time.Clock;
import java.util.Objects;

/**
 * The auth layer: adds the bearer token and, when the service answers 401 or 403, drops that
 * token, obtains a fresh one and replays the request exactly once. A second 401/403 is an
 * {@link dev.webhooksv3.bulkexport.AuthenticationException} with the first attached.
 *
 * <p>Only an answer of the API's own origin says anything about the token: a 403 from a storage
 * origin a download was redirected to (an expired pre-signed link) never saw the token, and is
 * handed back as it is.
 */
final class AuthenticatingTransport implements Transport {

    private final Transport next;
    private final TokenProvider tokens;
    private final URI apiOrigin;
    private final Clock clock;

    AuthenticatingTransport(Transport next, TokenProvider tokens, URI apiOrigin, Clock clock) {
        this.next = next;
        this.tokens = tokens;
        this.apiOrigin = apiOrigin;
        this.clock = clock;
    }

    @Override
    public Exchange exchange(ApiRequest request) {
        AccessToken token = token();
        Exchange first = next.exchange(authorized(request, token));
        if (!isRejected(first)) {
            return first;
        }
        ApiException rejected = Errors.toException(first, clock);
        tokens.invalidate(token);
        Exchange second = next.exchange(authorized(request, token()));
        if (!isRejected(second)) {
            return second;
        }
        ApiException again = Errors.toException(second, clock);
        again.addSuppressed(rejected);
        throw again;
    }

    /** The provider may be the user's own (or their wrapper): say whose null it is. */
    private AccessToken token() {
        return Objects.requireNonNull(tokens.token(), () -> "the TokenProvider given to tokenProvider(…) returned "
                + "null from token(); it must return a token or throw: " + tokens.getClass().getName());
    }

    private static ApiRequest authorized(ApiRequest request, AccessToken token) {
        return request.withHeader(ApiRequest.AUTHORIZATION, "Bearer " + token.value());
    }

    private boolean isRejected(Exchange exchange) {
        return (exchange.status() == 401 || exchange.status() == 403) && Origins.sameOrigin(exchange.uri(), apiOrigin);
    }
}
