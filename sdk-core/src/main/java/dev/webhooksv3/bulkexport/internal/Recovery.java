package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DailyExportLimitException;
import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.ExportFailedException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import dev.webhooksv3.bulkexport.NotFoundException;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import dev.webhooksv3.bulkexport.RecoveryProgress.Phase;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.StartExportRequest;
import dev.webhooksv3.bulkexport.TransportException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.Set;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one-call recovery of an export job, in stages: lock the work directory → choose the job
 * (the one an interrupted run left, the one a crashed start may have made, a completed or running
 * export no checkpoint here has handled, else a new one) → await it → download its file → hand
 * each event to the handler ({@link EventHandling}), checkpointed per export so that a re-run
 * after a crash at any point continues where it stopped and never hands an acknowledged event
 * again. A job the service ended canceled or failed is abandoned and a new export started: its
 * events stay exportable.
 */
public final class Recovery {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.recovery");
    /** New exports one run starts after jobs the service ended: past that, the service is failing them all. */
    private static final int MAX_STARTS = 3;

    private final ExportApi api;
    private final ExportStarter starter;
    private final ExportAwaiter awaiter;
    private final FileDownload downloads;
    private final Backoff backoff;
    private final Sleeper sleeper;
    private final Clock clock;

    public Recovery(ExportApi api, ExportStarter starter, ExportAwaiter awaiter, FileDownload downloads,
                    RetryPolicy policy, Sleeper sleeper) {
        this.api = api;
        this.backoff = new Backoff(policy);
        this.sleeper = sleeper;
        this.starter = starter;
        this.awaiter = awaiter;
        this.downloads = downloads;
        this.clock = api.clock();
    }

    public RecoveryResult run(RecoveryRequest request, EventHandler handler) {
        String subscriptionId = Ids.require("subscriptionId", request.subscriptionId());
        request.exportId().ifPresent(id -> Ids.require("exportId", id));
        long started = System.nanoTime();
        try {
            Files.createDirectories(request.workDirectory());
            try (RecoveryLock lock = RecoveryLock.acquire(request.workDirectory(), clock.instant())) {
                return new Run(request, subscriptionId, handler, started).run();
            }
        } catch (IOException e) {
            throw new TransportException("recovery of subscription " + subscriptionId + " cannot use its working "
                    + "directory " + request.workDirectory() + ": " + e.getMessage(), e);
        }
    }

    /** One run, holding the directory's lock. */
    private final class Run {

        private final RecoveryRequest request;
        private final String subscriptionId;
        private final EventHandler handler;
        private final long startedNanos;
        private final WorkDirectory directory;
        private String exportId;
        private Optional<ExportJob> next = Optional.empty();
        private boolean fromStart;
        private RecoveryReports reports = new RecoveryReports();

        Run(RecoveryRequest request, String subscriptionId, EventHandler handler, long startedNanos) {
            this.request = request;
            this.subscriptionId = subscriptionId;
            this.handler = handler;
            this.startedNanos = startedNanos;
            this.directory = new WorkDirectory(request.workDirectory(), subscriptionId, clock, request.fsyncInterval());
        }

        RecoveryResult run() throws IOException {
            for (int starts = 0; ; ) {
                Optional<Checkpoint.State> prior = chooseExport();
                if (exportId == null) {
                    report(Phase.NOTHING_TO_RECOVER);
                    return RecoveryResult.nothingToRecover(elapsed());
                }
                try (Checkpoint checkpoint = directory.checkpoint(exportId, prior)) {
                    Checkpoint.State state = prior.orElseGet(() -> checkpoint.write(
                            Checkpoint.State.started(subscriptionId, exportId), true));
                    if (fromStart) {
                        directory.forgetStart();
                    }
                    Optional<RecoveryResult> result = recover(state, prior, checkpoint);
                    if (result.isPresent() && !isEmptyWhileAnotherWaits(result.get())) {
                        return result.get();
                    }
                    if (result.isPresent()) {
                        continue; // the export that holds the events is recovered next, in this run
                    }
                }
                if (request.exportId().isPresent() || ++starts >= MAX_STARTS) {
                    throw new BulkExportException("export job " + exportId + " of subscription " + subscriptionId
                            + " ended without a file to recover (see the log); its events stay exportable: "
                            + (request.exportId().isPresent() ? "run a recovery without naming an export"
                            : "the service ended " + starts + " exports in a row; try again later"), null);
                }
                exportId = null;
            }
        }

        /**
         * Whether an export that held nothing was this run's, while another nobody here handled
         * exists (started elsewhere between this run's look at the list and its start): that one
         * holds the events, and "0 recovered" would be a false success.
         */
        private boolean isEmptyWhileAnotherWaits(RecoveryResult result) throws IOException {
            if (request.exportId().isPresent() || result.eventsHandled() + result.malformedLines()
                    + result.deadLettered() > 0) {
                return false;
            }
            next = unhandledExport(directory.knownExports());
            if (next.isPresent()) {
                LOG.warn("export job {} held no events, and export job {} ({}) that no checkpoint here has handled "
                        + "does: recovering it now", exportId, next.get().id(), next.get().state());
            }
            return next.isPresent();
        }

        /** Sets {@link #exportId} to the export this run recovers, and returns its checkpoint if it has one. */
        private Optional<Checkpoint.State> chooseExport() throws IOException {
            fromStart = false;
            reports = new RecoveryReports(); // the figures are of one export
            if (next.isPresent()) {
                choose(next.get());
                next = Optional.empty();
                return directory.load(exportId);
            }
            if (request.exportId().isPresent()) {
                exportId = request.exportId().get();
                return directory.load(exportId);
            }
            Optional<Checkpoint.State> open = directory.openCheckpoints().stream().findFirst();
            if (open.isPresent()) {
                exportId = open.get().exportId();
                LOG.info("continuing the recovery of export {} (phase {}, {} events handled)", exportId,
                        open.get().phase(), open.get().handled());
                return open;
            }
            Set<String> known = directory.knownExports();
            Optional<ExportJob> crashedStart = directory.startedAt()
                    .flatMap(since -> starter.findJobCreatedSince(subscriptionId, since))
                    .filter(job -> !known.contains(job.id()));
            if (crashedStart.isPresent()) {
                choose(crashedStart.get());
                fromStart = true;
                LOG.info("adopting export job {} that an interrupted run started", exportId);
                return directory.load(exportId);
            }
            Optional<ExportJob> unhandled = unhandledExport(known);
            if (unhandled.isPresent()) {
                choose(unhandled.get());
                LOG.info("recovering export job {} (created {}): no checkpoint in {} has handled it, and its events "
                        + "will not be exported again", exportId, unhandled.get().createdAt(), request.workDirectory());
                return directory.load(exportId);
            }
            report(Phase.CHECKING_SUMMARY);
            if (!request.force()) {
                long exportable = api.summary(subscriptionId).exportable();
                if (exportable == 0) {
                    return Optional.empty();
                }
                reports.expect(exportable);
            }
            report(Phase.STARTING_EXPORT);
            directory.rememberStart(clock.instant());
            try {
                choose(starter.start(StartExportRequest.of(subscriptionId).withWaitForFreeSlot(request.waitForFreeSlot()),
                        (waited, remaining) -> {
                            reports.waited(waited);
                            report(Phase.WAITING_FOR_SLOT, Optional.of(remaining));
                        }));
            } catch (DailyExportLimitException refused) {
                directory.forgetStart(); // a 409 made no job
                Optional<ExportJob> completed = unhandledExport(directory.knownExports());
                if (completed.isEmpty()) {
                    throw DailyExportLimit.forRecovery(refused, api, subscriptionId, request.workDirectory());
                }
                choose(completed.get()); // it completed while this run waited for a slot: it holds the events
                LOG.info("no export can start before {}: recovering export job {}, which completed in the last 24 "
                        + "hours and no checkpoint here has handled", refused.nextExportPossibleAt().orElse(null), exportId);
                return directory.load(exportId);
            }
            fromStart = true;
            return directory.load(exportId); // the starter may have adopted a job this directory knows
        }

        private void choose(ExportJob job) {
            exportId = job.id();
        }

        /**
         * The oldest export of the last 7 days, completed or still running, that no checkpoint here
         * knows: one started elsewhere (curl, a crashed run) holds events no later export will. A
         * subscription's recoveries must therefore share one work directory: a second directory
         * adopts what the first is handling.
         */
        private Optional<ExportJob> unhandledExport(Set<String> known) {
            return api.listExports(subscriptionId).jobs().stream()
                    .filter(job -> job.state().equals(ExportState.COMPLETED) || job.state().equals(ExportState.PROCESSING))
                    .filter(job -> !known.contains(job.id()))
                    .min(Comparator.comparing(ExportJob::createdAt, Comparator.nullsLast(Comparator.naturalOrder())));
        }

        /** Recovers the chosen export; empty when it ended without a file and a new one should be started. */
        private Optional<RecoveryResult> recover(Checkpoint.State from, Optional<Checkpoint.State> prior,
                                                 Checkpoint checkpoint) throws IOException {
            Checkpoint.State state = from;
            Path file = directory.exportFile(exportId);
            if (state.phase() == Checkpoint.Phase.ABANDONED) {
                return Optional.empty();
            }
            if (state.phase() == Checkpoint.Phase.STARTED) {
                try {
                    report(Phase.AWAITING_EXPORT);
                    awaiter.await(subscriptionId, exportId, request.await());
                    state = downloadAndHandle(state, checkpoint, file);
                } catch (ExportFailedException ended) {
                    checkpoint.write(state.in(Checkpoint.Phase.ABANDONED), true);
                    LOG.warn("export job {} ended {}: it has no file, and its events stay exportable{}", exportId,
                            ended.job().state(), request.exportId().isPresent() ? "" : "; starting a new export");
                    return Optional.empty();
                } catch (NotFoundException gone) {
                    if (!isGone()) {
                        throw new BulkExportException("export job " + exportId + " of subscription " + subscriptionId
                                + " answered 404 but the job list still shows it (or could not be read): run the "
                                + "recovery again", gone);
                    }
                    checkpoint.write(state.in(Checkpoint.Phase.ABANDONED), true);
                    throw new BulkExportException("export job " + exportId + " of subscription " + subscriptionId
                            + " is gone (404) before its file was downloaded: the service keeps jobs and files 7 days. "
                            + "It had marked those events exported, so no later export will hold them; the event "
                            + "store keeps events 7 days too, so the ones still there can be redelivered one by "
                            + "one. The next run recovers the next export.", gone);
                }
            }
            long before = prior.map(Checkpoint.State::handled).orElse(0L);
            boolean wasDone = prior.isPresent() && prior.get().phase() == Checkpoint.Phase.DONE;
            if (state.phase() == Checkpoint.Phase.DOWNLOADED) {
                reports.downloadedFile(state.fileBytes());
                state = handling(file, checkpoint).handle(handler, state);
            }
            reports.completed(state);
            report(Phase.COMPLETED, Optional.of(Duration.ZERO));
            return Optional.of(new RecoveryResult(Optional.of(exportId), Optional.of(file),
                    Optional.ofNullable(state.fileSha256()), state.handled(), wasDone ? 0 : state.handled() - before,
                    state.malformed(), state.deadLettered(), state.fileBytes(), elapsed(), prior.isPresent()));
        }

        private EventHandling handling(Path file, Checkpoint checkpoint) {
            return new EventHandling(request, exportId, file, checkpoint, directory.deadLetters(exportId),
                    this::reportHandling, sleeper, backoff);
        }

        /**
         * Downloads the file and hands its events over as they arrive; a file a crashed run
         * completed (moved into place, the checkpoint not yet told) is taken as it is.
         */
        private Checkpoint.State downloadAndHandle(Checkpoint.State state, Checkpoint checkpoint, Path file)
                throws IOException {
            Path part = file.resolveSibling(file.getFileName() + ".part");
            if (Files.isRegularFile(file) && !Files.exists(part)) {
                LOG.info("export {}: taking the file {} a crashed run downloaded", exportId, file);
                long bytes = Files.size(file);
                Checkpoint.State downloaded = checkpoint.write(state.downloaded(bytes, Disk.sha256Of(file)), true);
                reports.downloadedFile(bytes);
                return handling(file, checkpoint).handle(handler, downloaded);
            }
            report(Phase.DOWNLOADING);
            DownloadRequest download = DownloadRequest.of(subscriptionId, exportId, file)
                    .withProgressListener(progress -> {
                        synchronized (this) {
                            reports.downloaded(progress);
                            report(reports.handlingBegan() ? Phase.HANDLING_EVENTS : Phase.DOWNLOADING,
                                    reports.handlingBegan() ? reports.remaining() : progress.remaining());
                        }
                    });
            return DownloadWhileHandling.run(downloads, download, handling(file, checkpoint), checkpoint, handler, state);
        }

        /**
         * Whether a job that answered 404 is really gone: absent from the job list too (a job the
         * list still shows is there, whatever one read said; if the list cannot be read, it may be).
         */
        private boolean isGone() {
            try {
                return api.listExports(subscriptionId).jobs().stream().noneMatch(job -> job.id().equals(exportId));
            } catch (BulkExportException listFailed) {
                return false;
            }
        }

        private void report(Phase phase) {
            report(phase, Optional.empty());
        }

        private synchronized void reportHandling(long handled, long malformed, long deadLettered, long byteOffset) {
            report(Phase.HANDLING_EVENTS, reports.handling(handled, malformed, deadLettered, byteOffset));
        }

        /** Reports are made on the caller's thread and the download's, one at a time. */
        private synchronized void report(Phase phase, Optional<Duration> remaining) {
            request.progressListener().accept(reports.of(phase, exportId, remaining));
        }

        private Duration elapsed() {
            return Duration.ofNanos(System.nanoTime() - startedNanos);
        }
    }
}
