package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.DownloadProgress;
import dev.webhooksv3.bulkexport.RecoveryProgress;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Progress on standard error: on a terminal, one bar redrawn in place with rate and ETA; in a log
 * or a pipe, a plain line per step and one every {@value #LINE_EVERY_SECONDS} seconds. The SDK
 * reports from its own threads, so every method is synchronized.
 */
final class Progress {

    /** How progress is shown; {@code AUTO} is resolved to {@code BAR} or {@code LINES} before use. */
    enum Mode { AUTO, BAR, LINES, NONE }

    private static final int LINE_EVERY_SECONDS = 5;
    private static final long BAR_EVERY_NANOS = 100_000_000L;
    /** With the longest line (a download of gigabytes) the bar stays within 80 columns. */
    private static final int BAR_WIDTH = 16;

    private final Mode mode;
    private final PrintStream err;
    private long lastDrawn = Long.MIN_VALUE / 2;
    private int drawnWidth;
    private double lastRate;
    private RecoveryProgress.Phase lastPhase;

    Progress(Mode mode, PrintStream err) {
        this.mode = mode;
        this.err = err;
    }

    /** A step, e.g. "AWAITING_EXPORT 3f…": a line of its own, under any bar drawn so far. */
    synchronized void step(String line) {
        if (mode == Mode.NONE) {
            return;
        }
        endBar();
        err.println("  " + line);
        err.flush();
    }

    /** Where a count stands: {@code done} of {@code total} units at {@code rate} per second. */
    synchronized void update(String label, long done, OptionalLong total, boolean bytes, double rate,
                             Optional<Duration> remaining) {
        long now = System.nanoTime();
        long every = mode == Mode.BAR ? BAR_EVERY_NANOS : LINE_EVERY_SECONDS * 1_000_000_000L;
        if (mode == Mode.NONE || now - lastDrawn < every) {
            return;
        }
        lastDrawn = now;
        String amount = total.isPresent() ? amount(done, total.getAsLong(), bytes) + " of "
                + amount(total.getAsLong(), bytes) : amount(done, bytes);
        if (rate > 0) {
            lastRate = rate;
        }
        String line = String.format("%s %s  %s/s  ETA %s", label, amount, amount((long) lastRate, bytes),
                remaining.map(Progress::clock).orElse("?"));
        if (mode == Mode.LINES) {
            err.println("  " + line);
        } else {
            String bar = total.isPresent() && total.getAsLong() > 0 ? bar(done, total.getAsLong()) : "";
            String drawn = "\r  " + bar + line;
            err.print(drawn + " ".repeat(Math.max(0, drawnWidth - drawn.length())));
            drawnWidth = drawn.length();
        }
        err.flush();
    }

    /** Ends a bar in progress with a newline, so that what follows starts on its own line. */
    synchronized void finish() {
        endBar();
        err.flush();
    }

    /** A recovery's progress: a line per phase, a bar or periodic lines for the download and the events. */
    synchronized void recovery(RecoveryProgress progress) {
        String job = progress.exportId().map(id -> " (export " + id + ")").orElse("");
        switch (progress.phase()) {
            case DOWNLOADING -> update("download", progress.bytesDownloaded(), progress.totalBytes(), true,
                    progress.bytesPerSecond(), progress.remaining());
            case HANDLING_EVENTS -> update("events", progress.eventsHandled(), progress.totalEvents(), false,
                    progress.eventsPerSecond(), progress.remaining());
            default -> {
                if (progress.phase() == RecoveryProgress.Phase.COMPLETED && lastPhase != progress.phase()) {
                    lastDrawn = Long.MIN_VALUE / 2; // the last count, drawn whole before the bar ends
                    update("events", progress.eventsHandled(), progress.totalEvents(), false,
                            progress.eventsPerSecond(), Optional.of(Duration.ZERO));
                }
                if (progress.phase() != lastPhase) {
                    step(progress.phase().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ') + job);
                }
            }
        }
        if (progress.phase() != lastPhase && (progress.phase() == RecoveryProgress.Phase.DOWNLOADING
                || progress.phase() == RecoveryProgress.Phase.HANDLING_EVENTS)) {
            lastDrawn = Long.MIN_VALUE / 2; // a new count is shown at once
            lastRate = 0;
        }
        lastPhase = progress.phase();
    }

    /** A download's progress. */
    synchronized void download(DownloadProgress progress) {
        update("download", progress.bytes(), progress.totalBytes(), true, progress.bytesPerSecond(),
                progress.remaining());
    }

    private void endBar() {
        if (drawnWidth > 0) {
            err.println();
            drawnWidth = 0;
        }
    }

    private static String bar(long done, long total) {
        int filled = (int) Math.min(BAR_WIDTH, done * BAR_WIDTH / total);
        return String.format("[%s%s] %3d%%  ", "#".repeat(filled), "-".repeat(BAR_WIDTH - filled),
                Math.min(100, done * 100 / total));
    }

    /** A count, or a size in kB, MB or GB, whichever suits it. */
    static String amount(long n, boolean bytes) {
        return amount(n, n, bytes) + (bytes ? " " + unit(n) : "");
    }

    /** {@code n} without its unit, in the unit that suits {@code scale}: "12.5" of "1,024.0 MB". */
    private static String amount(long n, long scale, boolean bytes) {
        if (!bytes) {
            return String.format("%,d", n);
        }
        return String.format("%,.1f", n / switch (unit(scale)) {
            case "kB" -> 1e3;
            case "MB" -> 1e6;
            default -> 1e9;
        });
    }

    private static String unit(long n) {
        return n < 1_000_000 ? "kB" : n < 10_000_000_000L ? "MB" : "GB";
    }

    static String clock(Duration d) {
        long s = d.toSeconds();
        return s >= 86_400 ? ">1 day" : s >= 3600 ? String.format("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format("%d:%02d", s / 60, s % 60);
    }
}
