package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.FailedEvent;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryProgress.Phase;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.StreamPosition;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-call recovery: summary → start → await → download → stream → handler, checkpointed so
 * that a re-run after a crash at any point continues with the same job and file and never hands
 * an acknowledged event to the handler again.
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.recovery");
    private static final long PROGRESS_EVERY_NANOS = 250_000_000L;

    private final ExportApi api;
    private final ExportStarter starter;
    private final ExportAwaiter awaiter;
    private final FileDownload downloads;
    private final Clock clock;

    public Recovery(ExportApi api, ExportStarter starter, ExportAwaiter awaiter, FileDownload downloads) {
        this.api = api;
        this.starter = starter;
        this.awaiter = awaiter;
        this.downloads = downloads;
        this.clock = api.clock();
    }

    public RecoveryResult run(RecoveryRequest request, EventHandler handler) {
        return new Run(request).run(handler);
    }

    /** One run's state: what it has reported and counted so far. */
    private final class Run {

        private final RecoveryRequest request;
        private final String subscriptionId;
        private final Path checkpointFile;
        private long bytesDownloaded;
        private long handledTotal;
        private long malformedTotal;
        private String exportId;

        Run(RecoveryRequest request) {
            this.request = request;
            this.subscriptionId = Ids.require("subscriptionId", request.subscriptionId());
            this.checkpointFile = request.workDirectory().resolve("recovery-" + subscriptionId + ".checkpoint");
        }

        RecoveryResult run(EventHandler handler) {
            long started = System.nanoTime();
            try {
                Files.createDirectories(request.workDirectory());
                Optional<Checkpoint.State> prior = Checkpoint.load(checkpointFile);
                prior.ifPresent(state -> LOG.info("continuing the recovery of subscription {} from {} (phase {}, {} events "
                        + "handled)", subscriptionId, checkpointFile, state.phase(), state.handled()));
                try (Checkpoint checkpoint = Checkpoint.open(checkpointFile, prior, clock, request.fsyncInterval())) {
                    return run(handler, prior, checkpoint, started);
                }
            } catch (IOException e) {
                throw new TransportException("recovery of subscription " + subscriptionId + " cannot use its working "
                        + "directory " + request.workDirectory() + ": " + e.getMessage(), e);
            }
        }

        private RecoveryResult run(EventHandler handler, Optional<Checkpoint.State> prior, Checkpoint checkpoint,
                                   long startedNanos) throws IOException {
            Checkpoint.State state = prior.orElse(null);
            if (state == null) {
                report(Phase.CHECKING_SUMMARY);
                if (!request.force() && api.summary(subscriptionId).exportable() == 0) {
                    report(Phase.NOTHING_TO_RECOVER);
                    return RecoveryResult.nothingToRecover(elapsed(startedNanos));
                }
                state = checkpoint.write(Checkpoint.State.starting(subscriptionId, clock.instant()), true);
            }
            if (state.phase() == Checkpoint.Phase.STARTING) {
                state = checkpoint.write(state.started(startOrAdopt(state, prior.isPresent()).id()), true);
            }
            exportId = state.exportId();
            Path file = request.workDirectory().resolve("export-" + exportId + ".ndjson");
            if (state.phase() == Checkpoint.Phase.STARTED) {
                report(Phase.AWAITING_EXPORT);
                awaiter.await(subscriptionId, exportId, request.await());
                report(Phase.DOWNLOADING);
                DownloadResult download = downloads.toFile(DownloadRequest.of(subscriptionId, exportId, file)
                        .withProgressListener(progress -> {
                            bytesDownloaded = progress.bytes();
                            report(Phase.DOWNLOADING);
                        }));
                state = checkpoint.write(state.downloaded(download.bytes(), download.sha256()), true);
            }
            bytesDownloaded = state.fileBytes();
            handledTotal = state.handled();
            malformedTotal = state.malformed();
            if (state.phase() == Checkpoint.Phase.DOWNLOADED) {
                state = handleEvents(handler, state, file, checkpoint);
            }
            report(Phase.COMPLETED);
            long thisRun = state.handled() - prior.map(Checkpoint.State::handled).orElse(0L);
            return new RecoveryResult(Optional.of(exportId), Optional.of(file), Optional.of(state.fileSha256()),
                    state.handled(),
                    prior.map(p -> p.phase() == Checkpoint.Phase.DONE).orElse(false) ? 0 : thisRun, state.malformed(),
                    state.fileBytes(), elapsed(startedNanos), prior.isPresent());
        }

        /** Starts the export; after a crash between writing STARTING and STARTED, adopts the job it may have made. */
        private ExportJob startOrAdopt(Checkpoint.State state, boolean rerun) {
            report(Phase.STARTING_EXPORT);
            if (rerun) {
                Optional<ExportJob> earlier = starter.findJobCreatedSince(subscriptionId, state.startedAt());
                if (earlier.isPresent()) {
                    LOG.info("adopting export job {} that an interrupted run started", earlier.get().id());
                    return earlier.get();
                }
            }
            return starter.start(StartExportRequest.of(subscriptionId).withWaitForFreeSlot(request.waitForFreeSlot()));
        }

        private Checkpoint.State handleEvents(EventHandler handler, Checkpoint.State from, Path file, Checkpoint checkpoint)
                throws IOException {
            long size = Files.size(file);
            if (size != from.fileBytes()) {
                throw new BulkExportException("export file " + file + " has " + size + " bytes, but the checkpoint recorded "
                        + from.fileBytes() + ": it changed since it was downloaded; move the checkpoint away to start over",
                        null);
            }
            report(Phase.HANDLING_EVENTS);
            long malformedBefore = from.malformed();
            EventStreamOptions options = EventStreamOptions.skipAndReport(request.malformedLineHandler())
                    .withMaxLineBytes(request.maxLineBytes());
            Checkpoint.State state = from;
            long reportedAt = System.nanoTime();
            try (EventStream events = EventStream.open(file, new StreamPosition(from.line(), from.byteOffset()), options)) {
                for (FailedEvent event : events) {
                    try {
                        handler.handle(event);
                    } catch (Exception e) {
                        if (e instanceof InterruptedException) {
                            Thread.currentThread().interrupt();
                        }
                        throw new BulkExportException("the event handler failed on line " + event.lineNumber() + " (event "
                                + event.eventId().orElse("without id") + ") of export " + exportId + "; " + handledTotal
                                + " events are acknowledged: run the recovery again to continue with this event", e);
                    }
                    handledTotal++;
                    malformedTotal = malformedBefore + events.malformedLines();
                    StreamPosition position = events.position();
                    state = checkpoint.write(state.handledThrough(position.line(), position.byteOffset(), handledTotal,
                            malformedTotal), false);
                    long now = System.nanoTime();
                    if (now - reportedAt >= PROGRESS_EVERY_NANOS) {
                        reportedAt = now;
                        report(Phase.HANDLING_EVENTS);
                    }
                }
                malformedTotal = malformedBefore + events.malformedLines();
            }
            return checkpoint.write(state.done(malformedTotal), true);
        }

        private void report(Phase phase) {
            request.progressListener().accept(new RecoveryProgress(phase, exportId, bytesDownloaded, handledTotal,
                    malformedTotal));
        }

        private static Duration elapsed(long startedNanos) {
            return Duration.ofNanos(System.nanoTime() - startedNanos);
        }
    }
}
