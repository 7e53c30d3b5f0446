package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.ExportFailedException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.ExportWaitTimeoutException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls an export job until it ends: an initial delay, then an interval doubling from the minimum
 * to the maximum; a {@code Retry-After} on a status answer sets the next poll, but never below the
 * minimum (a {@code Retry-After: 0} or a date in the past would otherwise make it a busy loop).
 */
public final class ExportAwaiter {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport");

    private final ExportApi api;
    private final Clock clock;
    private final Sleeper sleeper;

    public ExportAwaiter(ExportApi api, Sleeper sleeper) {
        this.api = api;
        this.clock = api.clock();
        this.sleeper = sleeper;
    }

    private record Poll(ExportJob job, Duration retryAfter) {
    }

    public ExportJob await(String subscriptionId, String exportId, AwaitOptions options) {
        URI uri = api.job(subscriptionId, exportId);
        Instant started = clock.instant();
        Deadline deadline = Deadline.after(clock, options.deadline());
        String waitingFor = "waiting for export job " + exportId;
        sleeper.pause(deadline.cap(options.initialDelay()), waitingFor);
        Duration interval = options.minPollInterval();
        while (true) {
            Poll poll = api.call(ApiRequest.get(uri), Set.of(200), (node, exchange) -> new Poll(
                    Json.job(node, exchange.uri()), Errors.retryAfter(exchange, clock).orElse(null)));
            ExportJob job = poll.job();
            options.progressListener().accept(job);
            if (job.state().isTerminal()) {
                if (job.state().equals(ExportState.COMPLETED) || options.acceptAnyTerminalState()) {
                    return job;
                }
                throw new ExportFailedException(job);
            }
            if (deadline.passed()) {
                throw new ExportWaitTimeoutException(exportId, job.state(), Duration.between(started, clock.instant()));
            }
            Duration wait = poll.retryAfter() == null ? interval
                    : Deadline.longer(poll.retryAfter(), options.minPollInterval());
            LOG.debug("export job {} is {}; next poll in {}", exportId, job.state(), wait);
            sleeper.pause(deadline.cap(wait), waitingFor);
            interval = Deadline.doubled(interval, options.maxPollInterval());
        }
    }
}
