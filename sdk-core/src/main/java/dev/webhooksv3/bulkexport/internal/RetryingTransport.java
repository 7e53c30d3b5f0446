package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.ApiException;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.TransportException;
import io.github.resilience4j.retry.RetryConfig;
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
 * result and exception predicates, and the SDK's one {@link Backoff}); whether a request may be
 * sent again is the {@link Outcome} classifier's call.
 * The attempt loop itself is ours rather than {@code Retry.decorate…}: resilience4j sleeps with a
 * process-wide {@code Thread.sleep}, while we need an injected {@link Sleeper} (tests never sleep),
 * per-response {@code Retry-After} with a fail-fast cap, and earlier failures as suppressed
 * exceptions.
 */
final class RetryingTransport implements Transport {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.transport");
    private static final Set<Integer> TRANSIENT = Set.of(408, 429, 502, 503, 504);

    private final Transport next;
    private final RetryPolicy policy;
    private final RetryConfig config;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Clock clock;

    RetryingTransport(Transport next, RetryPolicy policy, Sleeper sleeper, Clock clock) {
        this.next = next;
        this.policy = policy;
        this.sleeper = sleeper;
        this.clock = clock;
        this.backoff = new Backoff(policy);
        this.config = RetryConfig.<Exchange>custom()
                .maxAttempts(policy.maxAttempts())
                .intervalFunction(backoff)
                .retryOnResult(RetryingTransport::isRetryableResponse)
                .retryOnException(RetryingTransport::isSafeToRetryAnyRequest)
                .build();
    }

    /** A transient status; for a request that is not idempotent, only one that says it was not acted on. */
    private static boolean isRetryableResponse(Exchange exchange) {
        if (!TRANSIENT.contains(exchange.status())) {
            return false; // an answer that stands
        }
        if (exchange.request().idempotent()) {
            return true; // sending it twice is harmless
        }
        return Outcome.ofStatus(exchange.status()) == Outcome.NOT_PROCESSED; // the server said it did nothing
    }

    /** An I/O failure before the request reached the server, so that even a POST may be sent again. */
    private static boolean isSafeToRetryAnyRequest(Throwable failure) {
        return failure instanceof Outcome.CallFailure call && call.isTransient()
                && call.outcome() == Outcome.NOT_SENT;
    }

    private boolean isRetryable(ApiRequest request, TransportException failure) {
        if (!(failure instanceof Outcome.CallFailure call) || !call.isTransient()) {
            return false; // the same request would fail the same way
        }
        if (request.idempotent()) {
            return true; // sending it twice is harmless
        }
        return config.getExceptionPredicate().test(failure); // only if the server never saw it
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
                pause(request, backoff.after(attempt), earlier);
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
            pause(request, retryAfter != null ? retryAfter : backoff.after(attempt), earlier);
        }
    }

    private static long elapsedMillis(long startedNanos) {
        return (System.nanoTime() - startedNanos) / 1_000_000;
    }

    private void pause(ApiRequest request, Duration wait, List<BulkExportException> earlier) {
        try {
            sleeper.pause(wait, "waiting to retry " + request.describe());
        } catch (BulkExportException interrupted) {
            throw attachEarlier(interrupted, earlier);
        }
    }

    private static BulkExportException giveUp(ApiRequest request, BulkExportException last,
                                              List<BulkExportException> earlier, int attempts) {
        // The exception's message names the call already (HttpTransport's and Errors' messages do):
        // naming it again made the line say "GET /x failed after 4 attempt(s): GET /x failed: …".
        String message = String.valueOf(last.getMessage());
        LOG.warn("{} (gave up after {} attempt(s))", message.contains(request.describe()) ? message
                : request.describe() + ": " + message, attempts);
        return attachEarlier(last, earlier);
    }

    private static BulkExportException attachEarlier(BulkExportException last, List<BulkExportException> earlier) {
        earlier.forEach(last::addSuppressed);
        return last;
    }
}
