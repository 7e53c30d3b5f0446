package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.EventStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads an export's file on a thread of its own while the caller's thread hands its events
 * over as their bytes land in the {@code .part} file, so that a recovery takes about as long as
 * its download instead of the download and then the handling.
 *
 * <p>Each acknowledgement's checkpoint record also says how many bytes are on disk, and once the
 * file is complete, its size and SHA-256 (phase {@code DOWNLOADED}); a run after a crash resumes
 * the {@code .part} file and the handling each where it got to. The handler is called on the
 * caller's thread only, one event at a time, as before. When either side fails, the other is
 * stopped, and the download's thread has ended before this returns or throws (so that nothing
 * writes in the work directory after its lock is released); a failed download is thrown as it
 * was (a {@link dev.webhooksv3.bulkexport.NotFoundException} stays one).
 *
 * <p>If the file changes on the server meanwhile (the download then starts over), the events
 * handled from the earlier version are set aside ({@link HandledBeforeChange}) and the new version
 * is handled from its start without them.
 */
final class DownloadWhileHandling {

    private static final Logger LOG = LoggerFactory.getLogger("dev.webhooksv3.bulkexport.recovery");

    private DownloadWhileHandling() {
    }

    static Checkpoint.State run(FileDownload downloads, DownloadRequest download, EventHandling handling,
                                Checkpoint checkpoint, EventHandler handler, Checkpoint.State from) {
        AtomicReference<DownloadResult> result = new AtomicReference<>();
        try (GrowingFile part = new GrowingFile()) {
            Thread downloader = new Thread(() -> {
                Throwable failed = null;
                try {
                    result.set(downloads.toFile(download, part));
                } catch (Throwable e) {
                    failed = e;
                } finally {
                    part.ended(failed);
                }
            }, "webhooks-recovery-download-" + download.exportId());
            downloader.setDaemon(true);
            downloader.start();
            try {
                Checkpoint.State state = from;
                while (true) {
                    try (EventStream events = EventStream.of(part.from(state.byteOffset()),
                            EventHandling.position(state), handling.options())) {
                        return handling.handle(handler, state, events, next -> withDownload(next, result, part));
                    } catch (UncheckedIOException e) {
                        if (!(e.getCause() instanceof GrowingFile.RestartedException)) {
                            throw translate(e);
                        }
                        state = startOver(checkpoint, checkpoint.last().orElse(state), part, download);
                    }
                }
            } finally {
                stop(downloader);
            }
        } catch (IOException closing) {
            throw new UncheckedIOException(closing);
        }
    }

    private static Checkpoint.State withDownload(Checkpoint.State state, AtomicReference<DownloadResult> result,
                                                 GrowingFile part) {
        if (state.phase() != Checkpoint.Phase.STARTED) {
            return state;
        }
        DownloadResult done = result.get();
        return done != null ? state.downloaded(done.bytes(), done.sha256()) : state.downloading(part.written());
    }

    /**
     * The file changed on the server and its download started over: the events of the earlier
     * version that were handled are kept aside, and the new version is handled from its start,
     * without them.
     */
    private static Checkpoint.State startOver(Checkpoint checkpoint, Checkpoint.State handled, GrowingFile part,
                                              DownloadRequest download) throws IOException {
        FileChannel earlier = part.superseded();
        if (earlier == null || earlier.size() < handled.byteOffset()) {
            throw new BulkExportException("the file of export job " + download.exportId() + " changed on the server "
                    + "while its events were being handled, and the " + handled.byteOffset() + " bytes whose events "
                    + "were handled are no longer on disk: the new file cannot be matched to them", null);
        }
        Path file = download.target().toAbsolutePath();
        long held = HandledBeforeChange.append(earlier, handled.byteOffset(), HandledBeforeChange.fileFor(file),
                handled.handledBeforeChange());
        LOG.warn("export {}: its file changed on the server after the events of its first {} bytes were handled; "
                + "handling the new file from its start, without the {} events handled so far", download.exportId(),
                handled.byteOffset(), handled.handled() + handled.deadLettered());
        return checkpoint.write(handled.changed(held), true);
    }

    /** The download's own failure (a 404 stays one), or {@code e}. */
    private static RuntimeException translate(UncheckedIOException e) {
        if (e.getCause() instanceof GrowingFile.DownloadFailedException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                return runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
        }
        return e;
    }

    /** Interrupts the download unless it ended, and waits for its thread to end. */
    private static void stop(Thread downloader) {
        downloader.interrupt();
        boolean interrupted = false;
        while (true) {
            try {
                downloader.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
