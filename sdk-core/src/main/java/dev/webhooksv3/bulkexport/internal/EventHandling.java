package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.EventRejectedException;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.StreamPosition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last stage of a recovery: reads the file (downloaded, or as it downloads) from the
 * checkpoint's position, hands each event to the handler, and acknowledges it in the checkpoint once the handler returns (or,
 * when asked, once it was dead-lettered after its last attempt).
 */
final class EventHandling {

    /** Where progress goes: events handled, malformed lines and dead letters so far, and the bytes read. */
    @FunctionalInterface
    interface Reporter {
        void report(long handled, long malformed, long deadLettered, long byteOffset);
    }

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.recovery");
    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;

    private final RecoveryRequest request;
    private final String exportId;
    private final Path file;
    private final Checkpoint checkpoint;
    private final DeadLetters deadLetters;
    private final Reporter reporter;
    private final Sleeper sleeper;
    private final Backoff backoff;

    EventHandling(RecoveryRequest request, String exportId, Path file, Checkpoint checkpoint, DeadLetters deadLetters,
                  Reporter reporter, Sleeper sleeper, Backoff backoff) {
        this.sleeper = sleeper;
        this.backoff = backoff;
        this.request = request;
        this.exportId = exportId;
        this.file = file;
        this.checkpoint = checkpoint;
        this.deadLetters = deadLetters;
        this.reporter = reporter;
    }

    /** Hands over the events of the downloaded file, from the checkpoint's position on. */
    Checkpoint.State handle(EventHandler handler, Checkpoint.State from) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (size != from.fileBytes()) {
            throw new BulkExportException("export file " + file + " has " + size + " bytes, but the checkpoint recorded "
                    + from.fileBytes() + ": it changed since it was downloaded; move the checkpoint away to start over",
                    null);
        }
        try (EventStream events = EventStream.open(file, position(from), options())) {
            return handle(handler, from, events, UnaryOperator.identity());
        }
    }

    static StreamPosition position(Checkpoint.State state) {
        return new StreamPosition(state.line(), state.byteOffset());
    }

    EventStreamOptions options() {
        return EventStreamOptions.skipAndReport(request.malformedLineHandler()).withMaxLineBytes(request.maxLineBytes());
    }

    /**
     * Hands over the events of {@code events}, which starts at the checkpoint's position; each
     * acknowledgement is checkpointed with {@code progress} applied (the download's part of the
     * record, when the file is still downloading), and the last one marks the export done.
     */
    Checkpoint.State handle(EventHandler handler, Checkpoint.State from, EventStream events,
                            UnaryOperator<Checkpoint.State> progress) {
        HandledBeforeChange before = HandledBeforeChange.load(HandledBeforeChange.fileFor(file),
                from.handledBeforeChange(), request.maxLineBytes());
        if (request.concurrency() > 1 || !from.acknowledgedAbove().isEmpty()) {
            return new ConcurrentHandling(this, checkpoint, handler, request.concurrency(), request.orderingKey(),
                    progress).run(from, events, before, reporter);
        }
        long handled = from.handled();
        long dead = from.deadLettered();
        reporter.report(handled, from.malformed(), dead, from.byteOffset());
        Checkpoint.State state = from;
        long reportedAt = System.nanoTime();
        for (FailedEvent event : events) {
            if (before.contains(event)) {
                LOG.debug("export {}: event on line {} was handled before the file changed; skipping it", exportId,
                        event.lineNumber());
            } else if (deliver(handler, event, handled + dead)) {
                handled++;
            } else {
                dead++;
            }
            StreamPosition position = events.position();
            state = checkpoint.write(progress.apply(state.handledThrough(position.line(), position.byteOffset(),
                    handled, from.malformed() + events.malformedLines(), dead)), false);
            long now = System.nanoTime();
            if (now - reportedAt >= PROGRESS_EVERY_NANOS) {
                reportedAt = now;
                reporter.report(handled, state.malformed(), dead, position.byteOffset());
            }
        }
        state = progress.apply(state.handledThrough(state.line(), state.byteOffset(), handled,
                from.malformed() + events.malformedLines(), dead));
        return checkpoint.write(state.in(Checkpoint.Phase.DONE), true);
    }

    /** Hands one event over; true once the handler took it, false once it was dead-lettered. */
    boolean deliver(EventHandler handler, FailedEvent event, long acknowledged) {
        int attempts = Math.max(1, request.deadLetterAfter());
        for (int attempt = 1; ; attempt++) {
            try {
                handler.handle(event);
                return true;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                if (request.deadLetterAfter() == 0 || e instanceof InterruptedException
                        || Thread.currentThread().isInterrupted()) {
                    throw new BulkExportException("the event handler failed on line " + event.lineNumber() + " (event "
                            + event.eventId().orElse("without id") + ") of export " + exportId + "; " + acknowledged
                            + " events are acknowledged: run the recovery again to continue with this event", e);
                }
                if (attempt >= attempts || e instanceof EventRejectedException) {
                    // A refusal for good would only be refused again: it spends no more attempts.
                    deadLetters.add(event, attempt, e);
                    return false;
                }
                // A listener down for seconds must not empty the whole export into the dead-letter file.
                sleeper.pause(backoff.after(attempt), "waiting to hand event " + event.eventId().orElse("without id")
                        + " over again");
            }
        }
    }
}
