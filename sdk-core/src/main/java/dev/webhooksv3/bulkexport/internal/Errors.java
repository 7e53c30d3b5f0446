package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.AuthenticationException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RateLimitedException;
import dev.webhooksv3.bulkexport.ServerException;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpHeaders;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/** Turns error responses into the typed exception tree. */
final class Errors {

    static final int EXCERPT_CHARS = 256;
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private Errors() {
    }

    /**
     * Reads (bounded) and closes the response, and returns the exception for its status.
     *
     * @param exchange a response the caller does not accept
     * @param clock the clock for an HTTP-date {@code Retry-After}
     * @return the exception, not thrown
     */
    static ApiException toException(Exchange exchange, Clock clock) {
        String body;
        try (InputStream in = exchange.body()) {
            body = new String(in.readNBytes(MAX_ERROR_BODY), StandardCharsets.UTF_8);
        } catch (IOException e) {
            body = "<body unreadable: " + e.getClass().getSimpleName() + ">";
        }
        String title = null;
        String details = null;
        Optional<JsonNode> json = Json.tryParseObject(body);
        if (json.isPresent()) {
            title = Json.text(json.get(), "title");
            details = Json.text(json.get(), "details");
            if (details == null) {
                details = Json.text(json.get(), "detail");
            }
        }
        return create(exchange, title, details, Redaction.excerpt(body.strip(), EXCERPT_CHARS), clock);
    }

    /** An exception for a 2xx response whose body could not be used. */
    static ApiException unreadable(Exchange exchange, byte[] body, String problem, boolean showBody) {
        String excerpt = showBody ? Redaction.excerpt(new String(body, StandardCharsets.UTF_8).strip(), EXCERPT_CHARS)
                : "<not shown: may hold a token>";
        return new ApiException(exchange.request().method(), exchange.request().uri().getRawPath(),
                exchange.status(), "Unreadable response", problem, exchange.headers(), excerpt, null);
    }

    private static ApiException create(Exchange ex, String title, String details, String excerpt, Clock clock) {
        String method = ex.request().method();
        String path = ex.request().uri().getRawPath();
        int status = ex.status();
        Duration retryAfter = retryAfter(ex, clock).orElse(null);
        if ((status == 401 || status == 403) && !Origins.sameOrigin(ex.uri(), ex.request().uri())) {
            // A storage origin refusing a pre-signed link: the credentials were never shown to it.
            return new ApiException(method, path, status, "Download link refused", "the storage origin "
                    + ex.uri().getScheme() + "://" + ex.uri().getAuthority() + " answered " + status + " to the "
                    + "pre-signed download link (expired?)" + (details == null ? "" : ": " + details), ex.headers(),
                    excerpt, retryAfter);
        }
        if (status == 401 || status == 403) {
            return new AuthenticationException(method, path, status, title, details, ex.headers(), excerpt, retryAfter);
        }
        if (status == 404) {
            return new NotFoundException(method, path, status, title, details, ex.headers(), excerpt, retryAfter);
        }
        if (status == 409) {
            ConflictException conflict = new ConflictException(method, path, status, title, details, ex.headers(),
                    excerpt, retryAfter);
            return DailyExportLimit.matches(details) ? DailyExportLimit.of(conflict, clock) : conflict;
        }
        if (status == 429) {
            return new RateLimitedException(method, path, status, title, details, ex.headers(), excerpt, retryAfter);
        }
        if (status >= 500 && status < 600) {
            return new ServerException(method, path, status, title, details, ex.headers(), excerpt, retryAfter);
        }
        return new ApiException(method, path, status, title, details, ex.headers(), excerpt, retryAfter);
    }

    /** The {@code Retry-After} of a response, in seconds or HTTP-date form; never negative. */
    static Optional<Duration> retryAfter(Exchange exchange, Clock clock) {
        return retryAfter(exchange.headers(), clock);
    }

    /** The {@code Retry-After} of these headers, in seconds or HTTP-date form; never negative. */
    static Optional<Duration> retryAfter(HttpHeaders headers, Clock clock) {
        Optional<String> header = headers.firstValue("Retry-After").map(String::strip);
        if (header.isEmpty() || header.get().isEmpty()) {
            return Optional.empty();
        }
        String value = header.get();
        if (value.chars().allMatch(Character::isDigit)) {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
            } catch (NumberFormatException tooLarge) {
                return Optional.of(Duration.ofSeconds(Long.MAX_VALUE / 1_000_000_000L));
            }
        }
        try {
            ZonedDateTime at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME);
            Duration wait = Duration.between(clock.instant(), at.toInstant());
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException unreadable) {
            return Optional.empty();
        }
    }
}
