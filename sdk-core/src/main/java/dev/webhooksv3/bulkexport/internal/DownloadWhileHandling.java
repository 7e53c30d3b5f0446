package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import dev.webhooksv3.bulkexport.EventHandler;
import dev.webhooksv3.bulkexport.EventStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;

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
 */
final class DownloadWhileHandling {

    private DownloadWhileHandling() {
    }

    static Checkpoint.State run(FileDownload downloads, DownloadRequest download, EventHandling handling,
                                EventHandler handler, Checkpoint.State from) {
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
            try (EventStream events = EventStream.of(part.from(from.byteOffset()), EventHandling.position(from),
                    handling.options())) {
                return handling.handle(handler, from, events, state -> {
                    if (state.phase() != Checkpoint.Phase.STARTED) {
                        return state;
                    }
                    DownloadResult done = result.get();
                    return done != null ? state.downloaded(done.bytes(), done.sha256())
                            : state.downloading(part.written());
                });
            } catch (UncheckedIOException e) {
                throw translate(e, download.exportId());
            } finally {
                stop(downloader);
            }
        } catch (IOException closing) {
            throw new UncheckedIOException(closing);
        }
    }

    /** The download's own failure, or the reason the bytes read so far no longer hold. */
    private static RuntimeException translate(UncheckedIOException e, String exportId) {
        if (e.getCause() instanceof GrowingFile.DownloadFailedException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                return runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
        }
        if (e.getCause() instanceof GrowingFile.RestartedException) {
            return new BulkExportException("the file of export job " + exportId + " changed on the server while its "
                    + "events were being handled: the events acknowledged so far were read from the earlier version, "
                    + "and the new one cannot be matched to them", e);
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
