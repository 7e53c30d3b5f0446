package dev.webhooksv3.bulkexport.testkit;

import java.time.Instant;
import java.util.Objects;

/**
 * One request the emulator answered, as kept in its {@linkplain WebhooksEmulator#journal() journal}.
 *
 * <p>Neither the {@code Authorization} header's value nor any token or secret is recorded: only
 * whether the header was present. Requests to the pre-signed storage origin (see
 * {@link Faults#redirectDownloads(boolean)}) have paths starting with
 * {@value WebhooksEmulator#STORAGE_PATH_PREFIX}.
 *
 * @param method the HTTP method, such as {@code GET}
 * @param path the raw request path, such as {@code /{customerId}/webhooks/subscriptions/{id}/exports}
 * @param query the raw query string, or the empty string when there was none
 * @param status the status code sent; {@code -1} when the exchange failed before a status was sent
 * @param hadAuthorization whether the request carried an {@code Authorization} header
 * @param at when the request arrived, by the emulator's clock
 */
public record RecordedRequest(String method, String path, String query, int status, boolean hadAuthorization,
                              Instant at) {

    /**
     * Checks the components.
     *
     * @param method the HTTP method
     * @param path the raw request path
     * @param query the raw query string, or the empty string
     * @param status the status code sent, or {@code -1}
     * @param hadAuthorization whether the request carried an {@code Authorization} header
     * @param at when the request arrived
     * @throws NullPointerException if a component other than {@code status} is null
     */
    public RecordedRequest {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(query, "query");
        Objects.requireNonNull(at, "at");
    }

    /**
     * Returns whether this request went to the pre-signed storage origin rather than the API.
     *
     * @return true for a storage download
     */
    public boolean isStorage() {
        return path.startsWith(WebhooksEmulator.STORAGE_PATH_PREFIX);
    }
}
