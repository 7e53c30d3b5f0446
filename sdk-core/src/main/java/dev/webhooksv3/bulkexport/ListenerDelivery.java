package dev.webhooksv3.bulkexport;

import dev.webhooksv3.bulkexport.internal.ListenerPost;
import dev.webhooksv3.bulkexport.internal.Origins;
import dev.webhooksv3.bulkexport.internal.Sleeper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * An {@link EventHandler} that sends each recovered event's Security Event Token to your
 * listener the way Webhooks v3 delivered it, as RFC 8935 push delivery: {@code POST} to the
 * listener URL with {@code Content-Type: application/secevent+jwt} and the compact JWS, byte for
 * byte, as the body. It never sends the API's token, only the headers you give it.
 *
 * <pre>{@code
 * ListenerDelivery delivery = ListenerDelivery.to(URI.create("https://hooks.example.com/events"))
 *         .header("Authorization", "Bearer " + System.getenv("LISTENER_TOKEN"))
 *         .build();
 * client.recoverFailedEvents(RecoveryRequest.of(subscriptionId, workDir)
 *         .withConcurrency(64).withDeadLettersAfter(3), delivery);
 * }</pre>
 *
 * <p>The listener's answers:
 * <ul>
 * <li>any 2xx (RFC 8935's 202, or 200 and 204): delivered;</li>
 * <li>408, 429 and 5xx, and I/O failures: sent again after the {@linkplain Builder#retryPolicy
 *     retry policy}'s backoff, or after its {@code Retry-After} (seconds or HTTP date) up to the
 *     policy's {@code maxRetryAfter}; once the attempts are spent, or the listener asks for a longer
 *     wait, a {@link BulkExportException}, which the recovery retries or dead-letters as its
 *     {@link RecoveryRequest#withDeadLettersAfter(int)} says;</li>
 * <li>other statuses (400, with RFC 8935's {@code {"err":…,"description":…}} as the reason, 401,
 *     403, 404, 405, 415, redirects, which are not followed): an {@link EventRejectedException},
 *     which a recovery with dead letters writes to the dead-letter file at once.</li>
 * </ul>
 * Use it with {@code withDeadLettersAfter(1)} or more: without dead letters the first refused or
 * undeliverable event stops the recovery.
 *
 * <p>Immutable and thread-safe, for recoveries with {@link RecoveryRequest#withConcurrency(int)}.
 * Header values never appear in messages, logs or {@link #toString()}.
 */
public final class ListenerDelivery implements EventHandler {

    private static final Set<String> FIXED_HEADERS = Set.of("content-type", "content-length", "host", "connection",
            "expect", "upgrade");

    private final ListenerPost post;
    private final Function<FailedEvent, String> bodyFunction;
    private final String description;

    private ListenerDelivery(Builder b) {
        Map<String, String> headers = new LinkedHashMap<>(b.headers);
        headers.putIfAbsent("User-Agent", "webhooks-v3-bulkexport-sdk (redelivery)");
        HttpClient client = b.httpClient != null ? b.httpClient : HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.post = new ListenerPost(client, b.listener, headers, b.requestTimeout, b.retryPolicy, b.sleeper, b.clock);
        this.bodyFunction = b.bodyFunction;
        this.description = "ListenerDelivery[to=" + ListenerPost.describe(b.listener) + ", headers="
                + b.headers.keySet().stream().map(name -> name + "=***").collect(Collectors.joining(", ", "[", "]"))
                + ", maxAttempts=" + b.retryPolicy.maxAttempts() + ", requestTimeout=" + b.requestTimeout
                + ", bodyFunction=" + (bodyFunction != null) + "]";
    }

    /**
     * Starts a delivery to {@code listener}.
     *
     * @param listener the listener URL: https, or plain http on a loopback host
     * @return a builder
     * @throws IllegalArgumentException if the URL is not absolute, or is plain http off loopback
     */
    public static Builder to(URI listener) {
        return new Builder(Origins.requireSecure(Objects.requireNonNull(listener, "listener"), "listener"));
    }

    /**
     * Sends the event's token and returns once the listener took it.
     *
     * @param event the event
     * @throws EventRejectedException if the listener refused it for good, or the line has no JWS
     *     (shape (b)) and no {@linkplain Builder#bodyFunction body function} was set
     * @throws BulkExportException if the listener did not take it within the retry policy, or the
     *     thread was interrupted (with its interrupt flag set again)
     */
    @Override
    public void handle(FailedEvent event) {
        String name = "event " + event.eventId().orElse("without id") + " (line " + event.lineNumber() + ")";
        String body = event.jws().orElse(null);
        if (body == null && bodyFunction != null) {
            body = Objects.requireNonNull(bodyFunction.apply(event), "bodyFunction returned null for line "
                    + event.lineNumber());
        }
        if (body == null) {
            String reason = "line " + event.lineNumber() + " holds decoded claims (shape (b)), not a JWS";
            throw new EventRejectedException(name + " cannot be sent: " + reason
                    + "; set ListenerDelivery.Builder.bodyFunction(…) to sign such lines", reason, null);
        }
        post.send(body, name);
    }

    /** Returns the listener (without query), the header names, attempts and timeout; never a header value. */
    @Override
    public String toString() {
        return description;
    }

    /** Builds a {@link ListenerDelivery}. Not thread-safe; the delivery it builds is immutable. */
    public static final class Builder {

        private final URI listener;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Function<FailedEvent, String> bodyFunction;
        private RetryPolicy retryPolicy = RetryPolicy.defaults().withMaxAttempts(5);
        private Duration requestTimeout = Duration.ofSeconds(30);
        private HttpClient httpClient;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Clock clock = Clock.systemUTC();

        private Builder(URI listener) {
            this.listener = listener;
        }

        /**
         * Adds a header to every delivery, such as the listener's own {@code Authorization}; a second
         * call with the same name replaces the value. The value never appears in a message or log.
         *
         * @param name the header name; not {@code Content-Type} or a header the HTTP client sets
         * @param value the value
         * @return this builder
         * @throws IllegalArgumentException if the name is not a valid or settable header, or the
         *     value is not a valid header value (the message never shows the value)
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (FIXED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + name + " is set by the delivery itself");
            }
            try {
                HttpRequest.newBuilder().header(name, value);
            } catch (IllegalArgumentException invalid) {
                throw new IllegalArgumentException("header " + name + " has an invalid name or value", null);
            }
            headers.remove(headers.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(name));
            headers.put(name, value);
            return this;
        }

        /**
         * Sets how to make the body of an event whose line holds decoded claims (shape (b)) instead
         * of a JWS, such as signing its {@link FailedEvent#claims()} with your key. Not used for
         * lines with a JWS, which is sent byte for byte. Default: none, and such a line is refused
         * with an {@link EventRejectedException} that names its line.
         *
         * @param bodyFunction returns the compact JWS to send for the event
         * @return this builder
         */
        public Builder bodyFunction(Function<FailedEvent, String> bodyFunction) {
            this.bodyFunction = Objects.requireNonNull(bodyFunction, "bodyFunction");
            return this;
        }

        /**
         * Sets how often and how patiently one event is sent. Default:
         * {@link RetryPolicy#defaults()} with 5 attempts.
         *
         * @param retryPolicy the policy
         * @return this builder
         */
        public Builder retryPolicy(RetryPolicy retryPolicy) {
            this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
            return this;
        }

        /**
         * Sets how long one attempt may wait for the listener's response. Default: 30 seconds.
         *
         * @param timeout a positive duration
         * @return this builder
         * @throws IllegalArgumentException if the timeout is not positive
         */
        public Builder requestTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "requestTimeout");
            if (timeout.isZero() || timeout.isNegative()) {
                throw new IllegalArgumentException("requestTimeout must be positive: " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the HTTP client (for a proxy or an SSL context of your own). Default: a client of its
         * own, HTTP/1.1, with a 10-second connect timeout, that does not follow redirects.
         *
         * @param httpClient a client built with {@code followRedirects(HttpClient.Redirect.NEVER)}
         * @return this builder
         * @throws IllegalArgumentException if the client follows redirects
         */
        public Builder httpClient(HttpClient httpClient) {
            Objects.requireNonNull(httpClient, "httpClient");
            if (httpClient.followRedirects() != HttpClient.Redirect.NEVER) {
                throw new IllegalArgumentException("httpClient must be built with followRedirects(Redirect.NEVER), "
                        + "not " + httpClient.followRedirects() + ": the JDK would send the listener's headers and "
                        + "the event to whatever host a redirect names");
            }
            this.httpClient = httpClient;
            return this;
        }

        /** Replaces the sleeper of the waits between attempts (tests). */
        Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** Replaces the clock an HTTP-date {@code Retry-After} is read with (tests). */
        Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the delivery.
         *
         * @return the delivery, immutable and thread-safe
         */
        public ListenerDelivery build() {
            return new ListenerDelivery(this);
        }
    }
}
