package dev.webhooksv3.bulkexport;

import java.time.Instant;
import java.util.Objects;

/**
 * A bearer token and the instant it stops being valid.
 *
 * <p>{@link #toString()} never shows the value.
 *
 * @param value the token itself; a secret
 * @param expiresAt when the service stops accepting it ({@link Instant#MAX} when unknown)
 */
public record AccessToken(String value, Instant expiresAt) {

    /**
     * Checks the components.
     *
     * @param value the token itself; a secret
     * @param expiresAt when the service stops accepting it ({@link Instant#MAX} when unknown)
     * @throws IllegalArgumentException if {@code value} is blank or holds a line break
     */
    public AccessToken {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(expiresAt, "expiresAt");
        if (value.isBlank() || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new IllegalArgumentException("access token value must be non-blank and on one line");
        }
    }

    /**
     * Returns the token with its value redacted.
     *
     * @return a description safe to log
     */
    @Override
    public String toString() {
        return "AccessToken[value=<redacted>, expiresAt=" + expiresAt + "]";
    }
}
