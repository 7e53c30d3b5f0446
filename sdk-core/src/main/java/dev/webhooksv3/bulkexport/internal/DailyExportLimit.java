package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.ConflictException;
import dev.webhooksv3.bulkexport.DailyExportLimitException;
import dev.webhooksv3.bulkexport.ExportJob;
import dev.webhooksv3.bulkexport.ExportState;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The service's "at most one completed export per 24 hours": recognising its refusal, reading when
 * the next export is possible, and telling the caller what to do. The error is undocumented, so the
 * reading is lenient: any 409 whose details speak of 24 hours or a day and not of active exports.
 */
final class DailyExportLimit {

    static final Duration INTERVAL = Duration.ofHours(24);
    private static final Pattern INSTANT = Pattern.compile(
            "\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:[Zz]|[+-]\\d{2}:\\d{2})?");
    private static final String[] WORDING = {"24 hour", "24h", "per day", "once a day", "daily"};

    private DailyExportLimit() {
    }

    /** Whether a 409's details are the daily limit's rather than another conflict's. */
    static boolean matches(String details) {
        if (details == null) {
            return false;
        }
        String text = details.toLowerCase(Locale.ROOT);
        if (text.contains("too many active exports")) {
            return false;
        }
        for (String words : WORDING) {
            if (text.contains(words)) {
                return true;
            }
        }
        return false;
    }

    /** The typed refusal of a 409 that {@link #matches}, with the advice for a caller of the start. */
    static DailyExportLimitException of(ConflictException answer, Clock clock) {
        Instant next = nextPossibleAt(answer, clock);
        return new DailyExportLimitException(answer, next, "the service allows one completed export per 24 hours, "
                + "so no export slot frees up " + (next == null ? "for a day" : "before " + next) + ": download or "
                + "recover the export that completed (listExports shows it), and start the next one after that");
    }

    /** The latest instant in the details (the time of the completion may be there too), else now + Retry-After. */
    private static Instant nextPossibleAt(ConflictException answer, Clock clock) {
        Instant latest = null;
        Matcher m = INSTANT.matcher(answer.details().orElse(""));
        while (m.find()) {
            Instant found = Timestamps.parse(m.group());
            if (found != null && (latest == null || found.isAfter(latest))) {
                latest = found;
            }
        }
        return latest != null ? latest : answer.retryAfter().map(clock.instant()::plus).orElse(null);
    }

    /**
     * The refusal as a recovery reports it: the export of the last 24 hours (which this directory
     * has recovered, or else none is listed) and when to run again.
     *
     * The newest completed export listed is named: the recovery adopts any that no checkpoint of the
     * directory knows, so a listed one has been recovered there.
     */
    static DailyExportLimitException forRecovery(DailyExportLimitException refused, ExportApi api, String subscriptionId,
                                                 Path workDirectory) {
        ExportJob last = null;
        BulkExportException listFailed = null;
        try {
            last = api.listExports(subscriptionId).jobs().stream()
                    .filter(job -> job.state().equals(ExportState.COMPLETED) && job.updatedAt() != null)
                    .max(Comparator.comparing(ExportJob::updatedAt)).orElse(null);
        } catch (BulkExportException e) {
            listFailed = e; // the refusal is what matters; the list only adds detail
        }
        Instant next = refused.nextExportPossibleAt().orElse(last == null ? null : last.updatedAt().plus(INTERVAL));
        String which = last != null ? "Export " + last.id() + " completed at " + last.updatedAt()
                + " and has been recovered with " + workDirectory + "; "
                : "A completed export of the last 24 hours holds the events failed before it: if no one has recovered "
                + "it, recover it with RecoveryRequest.ofExport(\"" + subscriptionId + "\", exportId, " + workDirectory
                + ") (listExports shows it); ";
        DailyExportLimitException explained = new DailyExportLimitException(refused, next, "recovery of subscription "
                + subscriptionId + " cannot start an export: the service allows one completed export per 24 hours. "
                + which + "the events that failed since can be exported "
                + (next == null ? "a day after the last export completed" : "after " + next)
                + ": run the recovery again then");
        if (listFailed != null) {
            explained.addSuppressed(listFailed);
        }
        return explained;
    }
}
