package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.RetryConfig;
import java.net.ConnectException;
import java.net.ProtocolException;
import java.net.http.HttpConnectTimeoutException;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The retry layer: re-sends a request after transient failures, following {@link RetryPolicy}.
 *
 * <p>The policy is expressed as a resilience4j {@link RetryConfig} (attempts counting the first,
 * result and exception predicates) and an exponential random-backoff {@link IntervalFunction}.
 * The attempt loop itself is ours rather than {@code Retry.decorate…}: resilience4j sleeps with a
 * process-wide {@code Thread.sleep}, while we need an injected {@link Sleeper} (tests never sleep),
 * per-response {@code Retry-After} with a fail-fast cap, and earlier failures as suppressed
 * exceptions.
 */
final class RetryingTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.transport");
    private static final Set<Integer> RETRYABLE = Set.of(408, 429, 502, 503, 504);
    /** Statuses that say the server did not act on the request, so even a POST may be re-sent. */
    private static final Set<Integer> NOT_PROCESSED = Set.of(408, 429, 503);

    private final Transport next;
    private final RetryPolicy policy;
    private final RetryConfig config;
    private final IntervalFunction backoff;
    private final Sleeper sleeper;
    private final Clock clock;

    RetryingTransport(Transport next, RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.next = next;
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.backoff = backoff(policy);
        this.config = RetryConfig.<Exchange>custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(backoff)
                .retryOnResult(RetryingTransport::isRetryableResponse)
                .retryOnException(RetryingTransport::isSafeToRetryAnyRequest)
                .build();
    }

    private static IntervalFunction backoff(RetryPolicy policy) {
        long initial = policy.initialBackoff().toMillis();
        long max = policy.maxBackoff().toMillis();
        if (initial < 1) {
            return attempt -> 0L;
        }
        if (policy.jitter() == 0) {
            return IntervalFunction.ofExponentialBackoff(initial, 2.0, max);
        }
        return IntervalFunction.ofExponentialRandomBackoff(initial, 2.0, Math.min(policy.jitter(), 0.99), max);
    }

    /** Retryable statuses; for a non-idempotent request only those where the server did not act. */
    private static boolean isRetryableResponse(Exchange exchange) {
        return exchange.request().idempotent()
                ? RETRYABLE.contains(exchange.status())
                : NOT_PROCESSED.contains(exchange.status());
    }

    /** Failures where the request surely never reached the server: the connection was not made. */
    private static boolean isSafeToRetryAnyRequest(Throwable failure) {
        Throwable cause = failure.getCause();
        return cause instanceof ConnectException || cause instanceof HttpConnectTimeoutException;
    }

    private boolean isRetryable(ApiRequest request, TransportException failure) {
        if (failure.getCause() instanceof ProtocolException) {
            return false;
        }
        if (isCertificateRefusal(failure)) {
            return false; // the server presents the same certificate again: a retry only delays the error
        }
        return request.idempotent() || config.getExceptionPredicate().test(failure);
    }

    /** A TLS handshake refused by the trust manager (untrusted chain, wrong host name), as OkHttp tells it. */
    private static boolean isCertificateRefusal(TransportException failure) {
        for (Throwable cause = failure.getCause(); cause != null; cause = cause.getCause()) {
            if (cause instanceof CertificateException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public Exchange exchange(ApiRequest request) {
        List<BulkExportException> earlier = new ArrayList<>();
        int maxAttempts = config.getMaxAttempts();
        for (int attempt = 1; ; attempt++) {
            long started = System.nanoTime();
            Exchange exchange;
            try {
                exchange = next.exchange(request);
            } catch (TransportException failure) {
                LOG.debug("{} attempt {}/{} failed after {} ms: {}", request.describe(), attempt, maxAttempts,
                        elapsedMillis(started), String.valueOf(failure.getCause()));
                if (attempt >= maxAttempts || !isRetryable(request, failure)) {
                    throw giveUp(request, failure, earlier, attempt);
                }
                earlier.add(failure);
                pause(request, Duration.ofMillis(backoff.apply(attempt)), earlier);
                continue;
            }
            LOG.debug("{} attempt {}/{} answered {} in {} ms", request.describe(), attempt, maxAttempts,
                    exchange.status(), elapsedMillis(started));
            if (!config.getResultPredicate().test(exchange)) {
                return exchange;
            }
            ApiException error = Errors.toException(exchange, clock);
            Duration retryAfter = error.retryAfter().orElse(null);
            if (retryAfter != null && retryAfter.compareTo(policy.maxRetryAfter()) > 0) {
                LOG.warn("{} asked to retry after {}, more than the {} the policy allows: giving up",
                        request.describe(), retryAfter, policy.maxRetryAfter());
                throw attachEarlier(error, earlier);
            }
            if (attempt >= maxAttempts) {
                throw giveUp(request, error, earlier, attempt);
            }
            earlier.add(error);
            pause(request, retryAfter != null ? retryAfter : Duration.ofMillis(backoff.apply(attempt)), earlier);
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private void pause(ApiRequest request, Duration wait, List<BulkExportException> earlier) {
        try {
            sleeper.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw attachEarlier(new BulkExportException(request.describe()
                    + " was interrupted while waiting to retry", e), earlier);
        }
    }

    private static BulkExportException giveUp(ApiRequest request, BulkExportException last,
                                              List<BulkExportException> earlier, int attempts) {
        LOG.warn("{} failed after {} attempt(s): {}", request.describe(), attempts, last.getMessage());
        return attachEarlier(last, earlier);
    }

    private static BulkExportException attachEarlier(BulkExportException last, List<BulkExportException> earlier) {
        earlier.forEach(last::addSuppressed);
        return last;
    }
}
