package dev.webhooksv3.bulkexport;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The service refused to start an export because one completed less than 24 hours ago: it allows
 * at most one completed export per 24 hours. Unlike "Too many active exports"
 * ({@link ConflictException#isTooManyActiveExports()}) no slot frees up within minutes, so a start
 * that waits for a free slot fails at once with this exception instead of waiting.
 *
 * <p>The service documents the rule but not its error. This SDK takes for it a 409 whose
 * {@code details} speak of 24 hours or a day ({@code "24 hour"}, {@code "24h"}, {@code "per day"},
 * {@code "once a day"}, {@code "daily"}) and not of active exports; the testkit's emulator answers
 * {@code "An export completed in the last 24 hours; the next export is possible after
 * <ISO-8601 instant>"}. {@link #nextExportPossibleAt()} is read from the details, else from
 * {@code Retry-After}.
 *
 * <p>What to do: the export that completed holds the events failed before it; download or recover
 * it ({@link BulkExportClient#listExports} shows it, {@link RecoveryRequest#ofExport} recovers it),
 * and start the next export after {@link #nextExportPossibleAt()}. The message says so.
 */
public class DailyExportLimitException extends ConflictException {

    private static final long serialVersionUID = 1L;

    /** When the next export may start, or null if the answer did not tell. */
    private final Instant nextExportPossibleAt;
    /** What the caller can do, appended to the message. */
    private final String advice;

    /**
     * Creates an exception from the service's answer.
     *
     * @param answer the 409 answer, whose method, path, status, title, details, headers, body
     *     excerpt and {@code Retry-After} this exception takes
     * @param nextExportPossibleAt when the next export may start; may be null when unknown
     * @param advice what the caller can do, appended to the message
     */
    public DailyExportLimitException(ApiException answer, Instant nextExportPossibleAt, String advice) {
        super(answer.method(), answer.path(), answer.status(), answer.title().orElse(null),
                answer.details().orElse(null), answer.headers(), answer.bodyExcerpt(), answer.retryAfter().orElse(null));
        this.nextExportPossibleAt = nextExportPossibleAt;
        this.advice = Objects.requireNonNull(advice, "advice");
    }

    /**
     * Returns when the next export may start: the latest ISO-8601 instant in the error's
     * {@code details}, else the time of the answer plus its {@code Retry-After}.
     *
     * @return the instant, or empty when the answer told neither
     */
    public Optional<Instant> nextExportPossibleAt() {
        return Optional.ofNullable(nextExportPossibleAt);
    }

    /**
     * Returns the service's answer followed by what the caller can do.
     *
     * @return the message
     */
    @Override
    public String getMessage() {
        return super.getMessage() + "; " + advice;
    }
}
