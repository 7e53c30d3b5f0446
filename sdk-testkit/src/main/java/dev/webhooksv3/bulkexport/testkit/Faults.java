package dev.webhooksv3.bulkexport.testkit;

import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Switches for injecting failures into a running {@link WebhooksEmulator}, from
 * {@link WebhooksEmulator#faults()}; thread-safe, and effective from the next request on.
 *
 * <p>Order of precedence for an API request: {@link #rateLimitNext rate limit}, then
 * {@link #failNext forced status}, then the normal answer. These two count every request to
 * the API origin (the token endpoint included) but not the storage origin. The download
 * switches apply to the file bodies of both origins.
 *
 * <p>Besides the switches that shape the next answers, a few act on the service's own state at
 * once, as the real service may at any moment: {@link #cancelJob}, {@link #failJob},
 * {@link #expireJob}, {@link #changeFile} and {@link #startExportElsewhere}.
 */
public final class Faults {

    // The armed switches, taken by the endpoints: a value (seconds, a status, a byte count), or -1.
    final Shots rateLimit = new Shots();
    final Shots failure = new Shots();
    final Shots reset = new Shots();
    final Shots createThenReset = new Shots();
    final Shots createThenFail = new Shots();
    final Shots tokenOutage = new Shots();
    private volatile boolean redirectDownloads;
    private volatile boolean gzipDownloads;
    private volatile boolean subscriptionDisabled;
    private volatile long[] malformedLines = new long[0];
    private final AtomicInteger tokenGeneration = new AtomicInteger();
    private final ExportModel model;
    private final Clock clock;

    Faults(ExportModel model, Clock clock) {
        this.model = model;
        this.clock = clock;
    }

    /**
     * Makes the next {@code n} export starts that create a job drop the connection before
     * answering: the job exists and runs, but the caller gets no response (an ambiguous
     * start). Starts answered 409 do not count. The journal records such a start with status
     * {@code -1}.
     *
     * @param n how many starts; 0 turns the switch off
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Faults createThenResetNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("createThenResetNext needs n >= 0: " + n);
        }
        createThenReset.arm(n, 0);
        return this;
    }

    /**
     * Makes the next {@code n} export starts that create a job answer {@code status} (such as
     * a 504 from a gateway that gave up waiting) although the job exists and runs: an
     * ambiguous start. Starts answered 409 do not count.
     *
     * @param n how many starts; 0 turns the switch off
     * @param status an error status from 400 to 599, normally 500, 502, 503 or 504
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative or the status is not an error
     */
    public Faults createThenFailNext(int n, int status) {
        if (n < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("createThenFailNext needs n >= 0 and a status from 400 to 599: n="
                    + n + ", status=" + status);
        }
        createThenFail.arm(n, status);
        return this;
    }

    /**
     * Makes the token endpoint answer the next {@code n} token requests with 503 (after the
     * {@link #rateLimitNext rate limit} and {@link #failNext forced status} switches, which
     * count token requests too).
     *
     * @param n how many token requests; 0 turns the switch off
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public Faults tokenOutage(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("tokenOutage needs n >= 0: " + n);
        }
        tokenOutage.arm(n, 0);
        return this;
    }

    /**
     * Cancels a processing job now, as the service (or an operator) may on its own, even
     * while it writes its file: it then reads {@code canceled}, has no file (404), and its
     * events stay exportable by the next job.
     *
     * @param exportId the job
     * @return true if the job was processing and is now canceled; false if it is unknown or
     *     had already ended
     */
    public boolean cancelJob(String exportId) {
        return model.endByService(clock.instant(), Objects.requireNonNull(exportId, "exportId"),
                ExportModel.State.CANCELED);
    }

    /**
     * Fails a processing job now, as the service may: it then reads {@code failed}, has no
     * file (404), and its events stay exportable by the next job.
     *
     * @param exportId the job
     * @return true if the job was processing and has now failed; false if it is unknown or
     *     had already ended
     */
    public boolean failJob(String exportId) {
        return model.endByService(clock.instant(), Objects.requireNonNull(exportId, "exportId"),
                ExportModel.State.FAILED);
    }

    /**
     * Forgets a job and its file now, as seven days would: it is no longer listed, and its
     * status and download answer 404. A job still processing completes first, so its events
     * count as exported and no later job holds them: they are lost unless its file was
     * downloaded already.
     *
     * @param exportId the job
     * @return true if the job was known
     */
    public boolean expireJob(String exportId) {
        return model.expire(clock.instant(), Objects.requireNonNull(exportId, "exportId"));
    }

    /**
     * Re-generates a job's file now: the same events, in another order, so its bytes and its
     * {@code ETag} change while its length stays the same. A download resumed with
     * {@code If-Range} and the old {@code ETag} gets the whole new file (200); one resumed
     * without it gets the new bytes from the old offset, mixing two versions.
     *
     * @param exportId the job
     * @return true if the file changed; false if the job is unknown, canceled or failed, or
     *     has fewer than two lines (no other order exists)
     */
    public boolean changeFile(String exportId) {
        return model.changeFile(clock.instant(), Objects.requireNonNull(exportId, "exportId"));
    }

    /**
     * Starts an export now on behalf of another party (someone with curl, another tool): the
     * job takes every event not exported yet, so no later job of the caller will hold them.
     * Export files created from now on follow {@link #malformedLines}.
     *
     * @return the new job's id
     * @throws IllegalStateException if an export is active, or one completed in the last 24 hours
     *     (see {@link WebhooksEmulator.Builder#oneCompletedExportPerDay(boolean)}): the other party
     *     got 409
     */
    public String startExportElsewhere() {
        ExportModel.StartResult result = model.start(clock.instant(), malformed());
        if (result.job() == null || result.tooManyActive()) {
            throw new IllegalStateException(result.tooManyActive() ? "export " + result.job().id + " is active: "
                    + "another party cannot start one now (it would get 409)"
                    : ExportEndpoints.dailyLimit(result.limitedUntil()) + " (another party would get 409)");
        }
        return result.job().id;
    }

    /**
     * Disables the subscription, or enables it again: while it is disabled, a redelivery is
     * refused with 409 (<code>"Subscription … is disabled …"</code>); the other operations work.
     *
     * @param disabled whether the subscription is disabled
     * @return this
     */
    public Faults subscriptionDisabled(boolean disabled) {
        subscriptionDisabled = disabled;
        return this;
    }

    /**
     * Answers the next {@code n} API requests with 429 and {@code Retry-After} in whole
     * seconds (rounded up).
     *
     * @param n how many requests; 0 turns the switch off
     * @param retryAfter the wait to announce, zero or positive
     * @return this
     * @throws IllegalArgumentException if {@code n} or the wait is negative
     */
    public Faults rateLimitNext(int n, Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (n < 0 || retryAfter.isNegative()) {
            throw new IllegalArgumentException("rateLimitNext needs n >= 0 and a non-negative retryAfter: n="
                    + n + ", retryAfter=" + retryAfter);
        }
        long seconds = retryAfter.getSeconds();
        rateLimit.arm(n, retryAfter.getNano() > 0 ? seconds + 1 : seconds);
        return this;
    }

    /**
     * Answers the next {@code n} API requests with {@code status} and an error body.
     *
     * @param n how many requests; 0 turns the switch off
     * @param status an error status from 400 to 599, normally a 5xx such as 503
     * @return this
     * @throws IllegalArgumentException if {@code n} is negative or the status is not an error
     */
    public Faults failNext(int n, int status) {
        if (n < 0 || status < 400 || status > 599) {
            throw new IllegalArgumentException("failNext needs n >= 0 and a status from 400 to 599: n=" + n
                    + ", status=" + status);
        }
        failure.arm(n, status);
        return this;
    }

    /**
     * Cuts the next {@code times} download responses after {@code bytes} body bytes: the
     * headers announce the whole (range) length, then the connection is closed abruptly.
     *
     * @param bytes how many body bytes to send before the cut
     * @param times how many responses to cut; 0 turns the switch off
     * @return this
     * @throws IllegalArgumentException if either is negative
     */
    public Faults resetDownloadAfter(long bytes, int times) {
        if (bytes < 0 || times < 0) {
            throw new IllegalArgumentException("resetDownloadAfter needs bytes >= 0 and times >= 0: bytes="
                    + bytes + ", times=" + times);
        }
        reset.arm(times, bytes);
        return this;
    }

    /**
     * Makes downloads answer 302 to a second origin (another port) that serves the same bytes
     * at a pre-signed URL ({@code X-Amz-Credential}, {@code X-Amz-Signature} …). That origin
     * refuses a request carrying an {@code Authorization} header with 400, as S3 does, and the
     * {@linkplain WebhooksEmulator#journal() journal} records whether one arrived.
     *
     * @param on whether to redirect
     * @return this
     */
    public Faults redirectDownloads(boolean on) {
        redirectDownloads = on;
        return this;
    }

    /**
     * Makes downloads of clients that accept it ({@code Accept-Encoding: gzip}) answer with
     * {@code Content-Encoding: gzip}, compressed on the fly: no {@code Content-Length}, and
     * {@code Range} is ignored (200), since offsets in such a stream cannot be computed.
     *
     * @param on whether to compress
     * @return this
     */
    public Faults gzipDownloads(boolean on) {
        gzipDownloads = on;
        return this;
    }

    /**
     * Expires every token issued so far: they are answered 403 from now on.
     *
     * @return this
     */
    public Faults expireTokensNow() {
        tokenGeneration.incrementAndGet();
        return this;
    }

    /**
     * Replaces these lines (1-based) of export files created from now on with a malformed
     * line of the same length (<code>{"id": broken</code> padded with spaces); lines past a
     * file's end are ignored. Files of jobs created earlier keep their content.
     *
     * @param lineNumbers the line numbers, from 1; none turns the switch off
     * @return this
     * @throws IllegalArgumentException if a number is below 1
     */
    public Faults malformedLines(long... lineNumbers) {
        long[] sorted = lineNumbers.clone();
        Arrays.sort(sorted);
        if (sorted.length > 0 && sorted[0] < 1) {
            throw new IllegalArgumentException("line numbers start at 1: " + sorted[0]);
        }
        malformedLines = Arrays.stream(sorted).distinct().toArray();
        return this;
    }

    /**
     * Turns every switch off (tokens already expired stay expired, and jobs already canceled,
     * failed, expired or changed stay so).
     *
     * @return this
     */
    public Faults clear() {
        rateLimit.arm(0, 0);
        failure.arm(0, 0);
        reset.arm(0, 0);
        redirectDownloads = false;
        gzipDownloads = false;
        subscriptionDisabled = false;
        malformedLines = new long[0];
        createThenReset.arm(0, 0);
        createThenFail.arm(0, 0);
        tokenOutage.arm(0, 0);
        return this;
    }

    boolean redirecting() {
        return redirectDownloads;
    }

    boolean gzipping() {
        return gzipDownloads;
    }

    boolean subscriptionDisabled() {
        return subscriptionDisabled;
    }

    long[] malformed() {
        return malformedLines;
    }

    int tokenGeneration() {
        return tokenGeneration.get();
    }
}
