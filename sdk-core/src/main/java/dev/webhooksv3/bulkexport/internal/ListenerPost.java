package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.EventRejectedException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one Security Event Token to a listener as RFC 8935 push delivery does, retrying what the
 * listener did not take: the transport of {@code ListenerDelivery} (public for that reason only;
 * this package is not exported).
 *
 * <p>The listener is not the API: it gets none of the client's credentials, only the headers it
 * was given, and a POST is never sent again after an answer that might mean it was taken — but
 * RFC 8935 receivers deduplicate by {@code jti}, so a retry after an I/O failure is how the
 * service itself behaves.
 */
public final class ListenerPost {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.listener");
    private static final String MEDIA_TYPE = "application/secevent+jwt";
    private static final int EXCERPT_CHARS = 256;
    private static final int MAX_ERROR_BODY = 16 * 1024;

    private final HttpClient client;
    private final URI listener;
    private final String where;
    private final Map<String, String> headers;
    private final Duration requestTimeout;
    private final RetryPolicy policy;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Clock clock;

    /**
     * Creates the sender.
     *
     * @param client a client that does not follow redirects
     * @param listener the listener URL, already checked by {@link Origins#requireSecure}
     * @param headers headers to send; their values never appear in a message
     * @param requestTimeout how long one attempt may wait for the response
     * @param policy attempts, backoff and the longest {@code Retry-After} to wait for
     * @param sleeper waits between attempts
     * @param clock reads an HTTP-date {@code Retry-After}
     */
    public ListenerPost(HttpClient client, URI listener, Map<String, String> headers, Duration requestTimeout,
                        RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.client = client;
        this.listener = listener;
        this.where = describe(listener);
        this.headers = Map.copyOf(headers);
        this.requestTimeout = requestTimeout;
        this.policy = policy;
        this.backoff = new Backoff(policy);
        this.sleeper = sleeper;
        this.clock = clock;
    }

    /** Scheme, host, port and path: a query may hold a listener's secret. */
    public static String describe(URI uri) {
        return uri.getScheme() + "://" + uri.getRawAuthority().replaceFirst("^.*@", "") + uri.getRawPath();
    }

    /**
     * Posts {@code body} until the listener takes it.
     *
     * @param body the compact JWS
     * @param event names the event in messages, such as {@code "event 3f2… (line 7)"}
     * @throws EventRejectedException if the listener refused it for good
     * @throws BulkExportException once the attempts are spent on transient failures, or if interrupted
     */
    public void send(String body, String event) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(listener).timeout(requestTimeout)
                .header("Content-Type", MEDIA_TYPE).header("Accept", "*/*")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(builder::setHeader);
        HttpRequest request = builder.build();
        List<BulkExportException> earlier = new ArrayList<>();
        for (int attempt = 1; ; attempt++) {
            HttpResponse<byte[]> response;
            try {
                response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw attach(new BulkExportException("interrupted while sending " + event + " to " + where, e), earlier);
            } catch (IOException e) {
                BulkExportException failure = new BulkExportException("sending " + event + " to " + where
                        + " failed on attempt " + attempt + ": " + redact(String.valueOf(e)), e);
                retryOrGiveUp(failure, null, attempt, event, earlier);
                continue;
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                LOG.debug("{} delivered to {} on attempt {} ({})", event, where, attempt, status);
                return; // taken
            }
            String excerpt = redact(Redaction.excerpt(response.body(), 0,
                    Math.min(response.body().length, MAX_ERROR_BODY), EXCERPT_CHARS));
            if (status != 408 && status != 429 && status < 500) {
                throw attach(rejected(status, response.body(), excerpt, event), earlier); // the same answer again
            }
            Duration retryAfter = Errors.retryAfter(response.headers(), clock).orElse(null);
            BulkExportException failure = new BulkExportException(where + " answered " + status + " to " + event
                    + " on attempt " + attempt + (excerpt.isEmpty() ? "" : ": " + excerpt), null);
            retryOrGiveUp(failure, retryAfter, attempt, event, earlier);
        }
    }

    /** Waits before the next attempt, or throws {@code failure} when no attempt is left. */
    private void retryOrGiveUp(BulkExportException failure, Duration retryAfter, int attempt, String event,
                               List<BulkExportException> earlier) {
        if (retryAfter != null && retryAfter.compareTo(policy.maxRetryAfter()) > 0) {
            LOG.warn("{} asked to wait {} before sending {} again, more than the {} the policy allows: giving up",
                    where, retryAfter, event, policy.maxRetryAfter());
            throw attach(failure, earlier); // the listener will not take it within the policy's patience
        }
        if (attempt >= policy.maxAttempts()) {
            LOG.warn("{} not delivered after {} attempt(s): {}", event, attempt, failure.getMessage());
            throw attach(failure, earlier); // the budget is spent; the recovery dead-letters it
        }
        earlier.add(failure);
        Duration wait = retryAfter != null ? retryAfter : backoff.after(attempt);
        try {
            sleeper.pause(wait, "waiting to send " + event + " to " + where + " again");
        } catch (BulkExportException interrupted) {
            throw attach(interrupted, earlier);
        }
    }

    private EventRejectedException rejected(int status, byte[] body, String excerpt, String event) {
        String reason = status == 400 ? rfc8935Reason(body) : null;
        if (reason == null) {
            reason = "HTTP " + status + (excerpt.isEmpty() ? "" : ": " + excerpt);
        }
        String redirect = status >= 300 && status < 400 ? " (redirects are not followed)" : "";
        return new EventRejectedException(where + " refused " + event + " for good" + redirect + ": " + reason,
                reason, null);
    }

    /** {@code err: description} of an RFC 8935 error body, or null if the body is not one. */
    private String rfc8935Reason(byte[] body) {
        try {
            JsonNode json = Json.MAPPER.readTree(body);
            JsonNode err = json == null ? null : json.get("err");
            if (err == null || !err.isTextual()) {
                return null;
            }
            JsonNode description = json.get("description");
            String text = description != null && description.isTextual() ? ": " + description.asText() : "";
            return redact(Redaction.excerpt(err.asText() + text, EXCERPT_CHARS));
        } catch (IOException notJson) {
            return null;
        }
    }

    /** The text with every configured header value masked, in case a listener echoes one back. */
    private String redact(String text) {
        String out = text;
        for (String value : headers.values()) {
            if (value.length() >= 4) {
                out = out.replace(value, "***");
            }
        }
        return out;
    }

    private static <E extends BulkExportException> E attach(E last, List<BulkExportException> earlier) {
        earlier.forEach(last::addSuppressed);
        return last;
    }
}
