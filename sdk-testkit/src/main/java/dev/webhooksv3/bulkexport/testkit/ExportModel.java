package dev.webhooksv3.bulkexport.testkit;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The stateful part of the emulated service: export jobs and which events they exported. Every
 * method takes the current instant and is synchronized; a job's state is derived from the clock
 * when asked (nothing runs in the background). Which events are failed now is {@link EventStates}'
 * answer.
 *
 * <p>Invariant: the failed events below {@code watermark} were exported by a completed job, but
 * for those in {@code leftOut}: events a job left out because they were not failed when it
 * started (redelivered ones). A job exports the failed events of {@code leftOut} (they failed
 * again) and everything failed from the watermark to the end, so "not exported yet" is a suffix of
 * the store give or take the (few) redelivered events.
 *
 * <p>With {@code oneCompletedPerDay}, a start within 24 hours of a job's completion is refused, as
 * the service announces ("at most one completed export per 24 hours").
 */
final class ExportModel {

    static final Duration RETENTION = Duration.ofDays(7);
    static final Duration COMPLETED_EXPORT_INTERVAL = Duration.ofHours(24);

    enum State {
        PROCESSING("processing"), COMPLETED("completed"), CANCELED("canceled"), FAILED("failed");

        final String wire;

        State(String wire) {
            this.wire = wire;
        }
    }

    /** What a cancel did. */
    enum CancelOutcome { CANCELED, WRITING, COMPLETED, ALREADY_CANCELED, FAILED, UNKNOWN }

    /** One export job; immutable but for its end. The file content is fixed at creation. */
    static final class Job {
        final String id;
        final Instant createdAt;
        final Instant completesAt;
        final Instant writingFrom;
        /** Events below {@code from} that the file holds first (failed again after a job left them out). */
        final long[] prior;
        final long from;
        final long to;
        final long[] excluded;
        final long[] malformedLines;
        final long lineCount;
        /** When the job was canceled or failed; null while it runs or once completed. */
        Instant canceledAt;
        /** Whether the service failed the job (at {@code canceledAt}) rather than canceled it. */
        boolean failed;
        boolean completed;
        /** Bumped when the service re-generates the file: the lines are rotated by {@link #shift()}. */
        volatile int version;

        Job(String id, Instant createdAt, Duration duration, long[] prior, long from, long to, long[] excluded,
            long[] malformedLines) {
            this.id = id;
            this.createdAt = createdAt;
            this.completesAt = createdAt.plus(duration);
            this.writingFrom = createdAt.plus(duration.dividedBy(2));
            this.prior = prior;
            this.from = from;
            this.to = to;
            this.excluded = excluded;
            this.malformedLines = malformedLines;
            this.lineCount = prior.length + to - from - excluded.length;
        }

        State state() {
            return canceledAt != null ? (failed ? State.FAILED : State.CANCELED)
                    : completed ? State.COMPLETED : State.PROCESSING;
        }

        Instant updatedAt() {
            return canceledAt != null ? canceledAt : completed ? completesAt : createdAt;
        }

        /** The store index of the event on line {@code line} (0-based) of the file. */
        long indexAtLine(long line) {
            if (line < prior.length) {
                return prior[(int) line];
            }
            long index = from + line - prior.length;
            for (long skipped : excluded) {
                if (skipped <= index) {
                    index++;
                } else {
                    break;
                }
            }
            return index;
        }

        /**
         * How far the lines of a re-generated file are rotated: the same events, in another order,
         * so that the bytes (and a resumed download mixing two versions) differ at equal length.
         */
        long shift(int version) {
            return version == 0 || lineCount < 2 ? 0 : 1 + (version * 7919L) % (lineCount - 1);
        }

        boolean isMalformed(long line) {
            return malformedLines.length > 0 && Arrays.binarySearch(malformedLines, line + 1) >= 0;
        }

        String etag(long recordLength, int version) {
            return "\"" + id.substring(0, 8) + "-" + Long.toHexString(lineCount * recordLength) + "-"
                    + Integer.toHexString(Arrays.hashCode(malformedLines)) + (version == 0 ? "" : "-v" + version) + "\"";
        }
    }

    /**
     * A new job, or why there is none: the active job ({@code tooManyActive}), or the instant from
     * which a start is possible again ({@code limitedUntil}, not null when an export completed less
     * than 24 hours ago).
     */
    record StartResult(Job job, boolean tooManyActive, Instant limitedUntil) {
    }

    private final long eventCount;
    private final Duration jobDuration;
    private final EventStates states;
    private final boolean oneCompletedPerDay;
    private final SplittableRandom ids;
    private final Map<String, Job> jobs = new LinkedHashMap<>();
    /** Every job ever created, expired ones included, oldest first: what tests check recoveries against. */
    private final List<Job> history = new ArrayList<>();
    private final NavigableSet<Long> leftOut = new TreeSet<>();
    private long watermark;
    private Job active;
    /** When the last job completed, or null. */
    private Instant lastCompletion;

    ExportModel(long eventCount, Duration jobDuration, long seed, EventStates states, boolean oneCompletedPerDay) {
        this.eventCount = eventCount;
        this.jobDuration = jobDuration;
        this.states = states;
        this.oneCompletedPerDay = oneCompletedPerDay;
        this.ids = new SplittableRandom(seed ^ 0x5851F42D4C957F2DL);
    }

    private void refresh(Instant now) {
        if (active != null && active.canceledAt == null && !now.isBefore(active.completesAt)) {
            complete(active.completesAt);
        }
        Instant oldest = now.minus(RETENTION);
        jobs.values().removeIf(job -> job != active && job.createdAt.isBefore(oldest));
    }

    /** Completes the active job at {@code at}: its events are exported, those it left out are not. */
    private void complete(Instant at) {
        active.completed = true;
        watermark = Math.max(watermark, active.to);
        for (long index : active.excluded) {
            leftOut.add(index);
        }
        for (long index : active.prior) {
            leftOut.remove(index);
        }
        lastCompletion = lastCompletion == null || at.isAfter(lastCompletion) ? at : lastCompletion;
        active = null;
    }

    synchronized StartResult start(Instant now, long[] malformedLines) {
        refresh(now);
        if (active != null) {
            return new StartResult(active, true, null);
        }
        if (oneCompletedPerDay && lastCompletion != null
                && now.isBefore(lastCompletion.plus(COMPLETED_EXPORT_INTERVAL))) {
            return new StartResult(null, false, lastCompletion.plus(COMPLETED_EXPORT_INTERVAL));
        }
        long[] prior = states.failedAmong(leftOut, now);
        long[] excluded = states.notFailed(watermark, eventCount, now);
        String id = new UUID(ids.nextLong() & ~0xF000L | 0x4000L,
                ids.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L).toString();
        Job job = new Job(id, now, jobDuration, prior, watermark, eventCount, excluded, malformedLines.clone());
        jobs.put(id, job);
        history.add(job);
        active = job;
        refresh(now); // a zero duration completes at once
        return new StartResult(job, false, null);
    }

    synchronized Job job(Instant now, String id) {
        refresh(now);
        return jobs.get(id);
    }

    /** The job's state now; call under no lock of your own. */
    synchronized State stateOf(Instant now, Job job) {
        refresh(now);
        return job.state();
    }

    synchronized List<Job> jobs(Instant now) {
        refresh(now);
        List<Job> newestFirst = new ArrayList<>(jobs.values());
        java.util.Collections.reverse(newestFirst);
        return newestFirst;
    }

    synchronized CancelOutcome cancel(Instant now, String id) {
        refresh(now);
        Job job = jobs.get(id);
        if (job == null) {
            return CancelOutcome.UNKNOWN;
        }
        switch (job.state()) {
            case CANCELED:
                return CancelOutcome.ALREADY_CANCELED;
            case COMPLETED:
                return CancelOutcome.COMPLETED;
            case FAILED:
                return CancelOutcome.FAILED;
            default:
                if (!now.isBefore(job.writingFrom)) {
                    return CancelOutcome.WRITING;
                }
                job.canceledAt = now;
                active = null;
                return CancelOutcome.CANCELED;
        }
    }

    /**
     * Ends a processing job as the service would on its own (an operator's cancel, an internal
     * failure), even while it writes its file: its events stay exportable by the next job.
     *
     * @return false when the job is unknown or has already ended
     */
    synchronized boolean endByService(Instant now, String id, State as) {
        refresh(now);
        Job job = jobs.get(id);
        if (job == null || job.state() != State.PROCESSING) {
            return false;
        }
        job.canceledAt = now;
        job.failed = as == State.FAILED;
        active = null;
        return true;
    }

    /**
     * Forgets a job and its file, as seven days would; a processing job completes first (its
     * events count as exported), since it would have long before.
     *
     * @return false when the job is unknown
     */
    synchronized boolean expire(Instant now, String id) {
        refresh(now);
        Job job = jobs.get(id);
        if (job == null) {
            return false;
        }
        if (job == active) {
            complete(now);
        }
        jobs.remove(id);
        return true;
    }

    /**
     * Re-generates a job's file: the same events in another order, so the bytes and the ETag change
     * and the length does not.
     *
     * @return false when the job is unknown or has no file to change (canceled, failed, or fewer than two lines)
     */
    synchronized boolean changeFile(Instant now, String id) {
        refresh(now);
        Job job = jobs.get(id);
        if (job == null || job.canceledAt != null || job.lineCount < 2) {
            return false;
        }
        job.version++;
        return true;
    }

    /** Every job ever created, expired ones included, oldest first. */
    synchronized List<Job> history(Instant now) {
        refresh(now);
        return List.copyOf(history);
    }

    /** Failed events not exported yet. */
    synchronized long exportable(Instant now) {
        refresh(now);
        return eventCount - watermark - states.notFailed(watermark, eventCount, now).length
                + states.failedAmong(leftOut, now).length;
    }

    synchronized boolean isExported(Instant now, long index) {
        refresh(now);
        return index < watermark && !leftOut.contains(index);
    }
}
