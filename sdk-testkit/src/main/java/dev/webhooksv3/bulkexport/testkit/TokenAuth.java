package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The client-credentials token endpoint and the bearer check of every other API request: HTTP
 * Basic with the client id and secret buys a random token; a missing bearer token is 401, an
 * unknown or expired one 403. {@link Faults#expireTokensNow()} bumps a generation that every
 * token issued earlier no longer matches.
 */
final class TokenAuth {

    private final Faults faults;
    private final Duration lifetime;
    private final String expectedBasic;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, IssuedToken> tokens = new ConcurrentHashMap<>();

    private record IssuedToken(Instant expiresAt, int generation) {
    }

    TokenAuth(Faults faults, String clientId, String clientSecret, Duration lifetime) {
        this.faults = faults;
        this.lifetime = lifetime;
        this.expectedBasic = Base64.getEncoder().encodeToString(
                (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
    }

    /** {@code POST /{customerId}/login/token}. */
    void token(Call call) throws IOException {
        if (!call.allow("POST")) {
            return;
        }
        if (faults.tokenOutage.take() >= 0) {
            call.error(503, "Service Unavailable", "The token service is unavailable (tokenOutage)");
            return;
        }
        String authorization = call.header("Authorization");
        String given = authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)
                ? authorization.substring(6).strip() : null;
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII),
                expectedBasic.getBytes(StandardCharsets.US_ASCII))) {
            call.responseHeaders().set("WWW-Authenticate", "Basic realm=\"webhooks-emulator\"");
            call.error(401, "Unauthorized", given == null ? "HTTP Basic authentication with the client id and secret "
                    + "is required" : "Invalid client credentials");
            return;
        }
        Map<String, String> form = call.form();
        if (!"client_credentials".equals(form.get("grant_type"))) {
            call.error(400, "Bad Request", "grant_type must be client_credentials, got: " + form.get("grant_type"));
            return;
        }
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = call.now();
        if (tokens.size() > 10_000) {
            tokens.values().removeIf(t -> !now.isBefore(t.expiresAt()) || t.generation() != faults.tokenGeneration());
        }
        tokens.put(token, new IssuedToken(now.plus(lifetime), faults.tokenGeneration()));
        call.responseHeaders().set("Cache-Control", "no-store");
        call.json(200, Json.obj("access_token", token, "expires_in", lifetime.toSeconds(),
                "token_type", "Bearer", "scope", "*:webhooks/**"));
    }

    /** Whether the call carries a live bearer token; if not, answers 401 or 403. */
    boolean authorized(Call call) throws IOException {
        String authorization = call.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            call.responseHeaders().set("WWW-Authenticate", "Bearer realm=\"webhooks-emulator\"");
            call.error(401, "Unauthorized", "A bearer token is required");
            return false;
        }
        IssuedToken token = tokens.get(authorization.substring(7).strip());
        if (token == null) {
            call.error(403, "Forbidden", "The access token is unknown");
            return false;
        }
        if (!call.now().isBefore(token.expiresAt()) || token.generation() != faults.tokenGeneration()) {
            call.error(403, "Forbidden", "The access token has expired");
            return false;
        }
        return true;
    }
}
