package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * An in-process receiver of Security Event Tokens on loopback (RFC 8935 push delivery), for
 * testing what redelivers exported events: it accepts, refuses, delays and drops deliveries as a
 * test says, and journals the {@code jti} of every one it accepted. It checks each request as a
 * real receiver does: {@code POST} to {@link #uri()} (else 405, or 404 for another path),
 * {@code Content-Type: application/secevent+jwt} and a body that is a compact JWS whose claims
 * hold a {@code jti} (else 400 {@code invalid_request}), and {@linkplain Builder#requireHeader
 * a header} if asked (else 401); it does not verify signatures. A valid delivery is then answered
 * as {@linkplain Builder#script scripted}, else as drawn from {@linkplain Builder#mix a seeded mix},
 * else accepted: {@code 202 Accepted} without a body by default. Refusals carry RFC 8935's JSON
 * body, {@code {"err":"invalid_key","description":"…"}}. See {@link ListenerAnswer} for every
 * answer, connection resets included, and {@link ListenerJournal} for what is recorded.
 *
 * <pre>{@code
 * try (FakeListener listener = FakeListener.builder()
 *         .latency(Duration.ofMillis(5), Duration.ofMillis(50))
 *         .mix(ListenerAnswer.unavailable(), 0.10)
 *         .mix(ListenerAnswer.reset(), 0.02)
 *         .mix(ListenerAnswer.tooManyRequests(Duration.ofSeconds(1)), 0.05)
 *         .maxConcurrency(16)
 *         .start()) {
 *     myPipeline.redeliver(exportFile, listener.uri());        // http://127.0.0.1:PORT/events
 *     listener.journal().awaitAccepted(1_000, Duration.ofSeconds(60));
 *     assertEquals(Set.of(), listener.journal().duplicates());
 * }
 * }</pre>
 *
 * <p><b>Order of checks</b> for each request: over {@link Builder#maxConcurrency(int)} in flight,
 * 503 at once; held while {@linkplain #pause() paused}; {@linkplain Builder#latency(Duration)
 * latency}; path, method, header, media type and body; then the scripted or mixed answer. Each
 * request holds a thread for its latency; up to 256 (or the concurrency limit and 64 more, if
 * higher) are served at once, others wait in a queue.
 *
 * <p>Thread-safe; {@link #close()} is idempotent. With JUnit 5, see {@link FakeListenerExtension}.
 */
public final class FakeListener implements AutoCloseable {

    private final ListenerServer server;
    private final ListenerHandler handler;
    private final ListenerJournal journal = new ListenerJournal();

    private FakeListener(Builder b) throws IOException {
        ListenerPlan plan = new ListenerPlan(b.seed, b.minLatency.toNanos(), b.maxLatency.toNanos(), b.script,
                b.mixAnswers, b.mixFractions);
        this.handler = new ListenerHandler(journal, plan, b.path, b.maxConcurrency, b.successStatus,
                b.requiredHeader, b.requiredValue);
        this.server = new ListenerServer(b.port, b.path, b.https, b.maxConcurrency, handler);
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with every option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the endpoint to deliver to, such as {@code http://127.0.0.1:54321/events}.
     *
     * @return the listener's URL
     */
    public URI uri() {
        return server.uri();
    }

    /**
     * Returns an SSL context that trusts this listener's certificate (and nothing else), for
     * {@code HttpClient.newBuilder().sslContext(listener.clientSslContext())}.
     *
     * @return the context, shared with the https emulators of this JVM
     * @throws IllegalStateException if the listener was not built with {@link Builder#https()}
     */
    public SSLContext clientSslContext() {
        return server.clientSslContext();
    }

    /**
     * Returns the journal of what this listener received and answered.
     *
     * @return the live journal
     */
    public ListenerJournal journal() {
        return journal;
    }

    /**
     * Holds every request admitted from now on (under the concurrency limit) before its latency
     * and checks, until {@link #resume()}: to see how many deliveries a client keeps in flight
     * ({@link ListenerJournal#awaitInFlight(int, Duration)}), or to stall it, without sleeping.
     */
    public void pause() {
        handler.pause();
    }

    /** Lets held requests and later ones go on; does nothing if not {@linkplain #pause() paused}. */
    public void resume() {
        handler.resume();
    }

    /** Stops the listener: open connections and held requests are dropped unanswered; idempotent. */
    @Override
    public void close() {
        handler.close(); // each step is idempotent
        server.stop();
    }

    @Override
    public String toString() {
        return "FakeListener[" + server.uri() + ", " + journal + "]";
    }

    /** Configures and starts a {@link FakeListener}; not thread-safe, and reusable for more listeners. */
    public static final class Builder {

        private int port;
        private String path = "/events";
        private boolean https;
        private long seed = 1;
        private Duration minLatency = Duration.ZERO;
        private Duration maxLatency = Duration.ZERO;
        private int successStatus = 202;
        private String requiredHeader;
        private String requiredValue;
        private int maxConcurrency = Integer.MAX_VALUE;
        private List<ListenerAnswer> script = List.of();
        private final List<ListenerAnswer> mixAnswers = new ArrayList<>();
        private final List<Double> mixFractions = new ArrayList<>();

        private Builder() {
        }

        /**
         * Sets the port on 127.0.0.1. Default: 0, a free port chosen by the system.
         *
         * @param port 0 to 65535
         * @return this builder
         * @throws IllegalArgumentException if out of range
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535: " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * Sets the path deliveries go to; other paths get 404. Default: {@code /events}.
         *
         * @param path an absolute path, without query or fragment
         * @return this builder
         * @throws IllegalArgumentException if not such a path
         */
        public Builder path(String path) {
            Objects.requireNonNull(path, "path");
            if (!path.matches("/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")) {
                throw new IllegalArgumentException("path must start with '/' and hold no query, fragment or space: \""
                        + path + "\"");
            }
            this.path = path;
            return this;
        }

        /**
         * Serves https with the certificate of the https {@link WebhooksEmulator}: self-signed for
         * {@code localhost} and {@code 127.0.0.1}, made once per JVM (about a second, the first time).
         * Clients trust it through {@link FakeListener#clientSslContext()}. Default: plain http.
         *
         * @return this builder
         */
        public Builder https() {
            this.https = true;
            return this;
        }

        /**
         * Sets the seed of the latency range and the mix. Default: 1.
         *
         * @param seed any value; the same seed gives the same draws
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Delays every answer by {@code latency}, after any {@linkplain FakeListener#pause() pause}.
         * Default: none.
         *
         * @param latency zero or positive
         * @return this builder
         * @throws IllegalArgumentException if negative
         */
        public Builder latency(Duration latency) {
            return latency(latency, latency);
        }

        /**
         * Delays each answer by a seeded uniform draw from {@code min} to {@code max}, both
         * included. Default: none.
         *
         * @param min zero or positive
         * @param max at least {@code min}
         * @return this builder
         * @throws IllegalArgumentException if {@code min} is negative or above {@code max}
         */
        public Builder latency(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.isNegative() || min.compareTo(max) > 0) {
                throw new IllegalArgumentException("latency needs 0 <= min <= max: min=" + min + ", max=" + max);
            }
            this.minLatency = min;
            this.maxLatency = max;
            return this;
        }

        /**
         * Sets the status of an acceptance: 202 as RFC 8935 says, or 200 or 204 as listeners on
         * other stacks answer. Default: 202.
         *
         * @param status 200, 202 or 204
         * @return this builder
         * @throws IllegalArgumentException if another status
         */
        public Builder successStatus(int status) {
            if (status != 200 && status != 202 && status != 204) {
                throw new IllegalArgumentException("successStatus must be 200, 202 or 204: " + status);
            }
            this.successStatus = status;
            return this;
        }

        /**
         * Answers 401 ({@code "err":"authentication_failed"}; {@code WWW-Authenticate: Bearer} for
         * {@code Authorization}) to requests without this header and value, such as
         * {@code requireHeader("Authorization", "Bearer listener-secret")}. The value is compared
         * exactly and never shown in answers or messages. Default: no header required.
         *
         * @param name the header name, case-insensitive
         * @param value the exact value
         * @return this builder
         */
        public Builder requireHeader(String name, String value) {
            this.requiredHeader = Objects.requireNonNull(name, "name");
            this.requiredValue = Objects.requireNonNull(value, "value");
            return this;
        }

        /**
         * Answers 503 at once to requests that arrive while {@code n} are in flight, and counts
         * them in {@link ListenerJournal#overLimit()}. Default: no limit, but see {@link FakeListener}
         * on threads.
         *
         * @param n at least 1
         * @return this builder
         * @throws IllegalArgumentException if less than 1
         */
        public Builder maxConcurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConcurrency must be at least 1: " + n);
            }
            this.maxConcurrency = n;
            return this;
        }

        /**
         * Answers the first valid deliveries with these answers, in order; later ones follow the
         * {@linkplain #mix mix}. Replaces an earlier script or {@link #failFirst(int, int)}. Default: none.
         *
         * @param answers one per delivery, such as {@code accept(), reset(), reject("invalid_key")}
         * @return this builder
         */
        public Builder script(ListenerAnswer... answers) {
            this.script = List.of(answers);
            return this;
        }

        /**
         * Answers the first {@code n} valid deliveries with {@link ListenerAnswer#status(int) status}:
         * a {@link #script} of {@code n} copies of that answer, which replaces an earlier script.
         *
         * @param n zero or more
         * @param status an error status from 400 to 599
         * @return this builder
         * @throws IllegalArgumentException if {@code n} is negative or the status not an error
         */
        public Builder failFirst(int n, int status) {
            if (n < 0) {
                throw new IllegalArgumentException("failFirst needs n >= 0: " + n);
            }
            this.script = Collections.nCopies(n, ListenerAnswer.status(status));
            return this;
        }

        /**
         * Answers this fraction of the valid deliveries after the script with {@code answer}, by
         * a seeded draw per delivery; calls add up (to at most 1), the rest is accepted. The
         * {@code k}-th delivery's draw depends on the seed and {@code k} only: a client that sends
         * one delivery at a time sees the same sequence of answers every run.
         *
         * @param answer such as {@code ListenerAnswer.unavailable()}
         * @param fraction above 0, and with the earlier fractions at most 1
         * @return this builder
         * @throws IllegalArgumentException if the fraction is not above 0 or the total exceeds 1
         */
        public Builder mix(ListenerAnswer answer, double fraction) {
            ListenerPlan.checkMix(Objects.requireNonNull(answer, "answer"), fraction, mixFractions);
            mixAnswers.add(answer);
            mixFractions.add(fraction);
            return this;
        }

        /**
         * Starts a listener with this configuration.
         *
         * @return the running listener; the caller must {@link FakeListener#close() close} it
         * @throws UncheckedIOException if the port cannot be bound, or the https certificate made
         */
        public FakeListener start() {
            try {
                return new FakeListener(this);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the FakeListener on 127.0.0.1:" + port + ": "
                        + e.getMessage(), e);
            }
        }
    }
}
