package dev.webhooksv3.bulkexport.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What a {@link FakeListener} received and how it answered, from {@link FakeListener#journal()}:
 * the {@code jti}s it accepted in order, the ones accepted more than once, the answers by status,
 * and the most requests it served at once; thread-safe.
 *
 * <p>The accessors return snapshots. The {@code await…} methods wait on a condition that every
 * answer signals (never by polling), and on timeout throw an {@link AssertionError} that shows
 * the journal, so that a test fails with the reason:
 * <pre>{@code
 * pipeline.redeliver(exportFile, listener.uri());
 * List<String> jtis = listener.journal().awaitAccepted(500, Duration.ofSeconds(30));
 * assertEquals(Set.of(), listener.journal().duplicates());
 * assertTrue(listener.journal().inFlightMax() <= 8, "the pipeline keeps to its concurrency");
 * }</pre>
 *
 * <p>The journal keeps every accepted {@code jti} (about 100 bytes each), so a million deliveries
 * take about 100 MB.
 */
public final class ListenerJournal {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final List<String> accepted = new ArrayList<>();
    private final Map<String, Integer> acceptedTimes = new HashMap<>();
    private final Set<String> duplicates = new LinkedHashSet<>();
    private final Map<Integer, Long> statuses = new TreeMap<>();
    private long received;
    private long deliveries;
    private long resets;
    private long overLimit;
    private int inFlight;
    private int inFlightMax;

    ListenerJournal() {
    }

    /**
     * Returns how many requests reached the listener, whatever their answer (and whether they
     * got one).
     *
     * @return the count
     */
    public long received() {
        return locked(() -> received);
    }

    /**
     * Returns the {@code jti}s of the deliveries accepted so far, in the order they were accepted,
     * with repeats: a {@code jti} accepted twice is listed twice.
     *
     * @return an immutable snapshot
     */
    public List<String> accepted() {
        return locked(() -> List.copyOf(accepted));
    }

    /**
     * Returns the {@code jti}s accepted more than once, in the order their second acceptance
     * came: a pipeline that redelivers each event once and retries only what was not accepted
     * leaves this empty, unless an {@link ListenerAnswer#acceptThenReset()} hid an acceptance.
     *
     * @return an immutable snapshot, in that order
     */
    public Set<String> duplicates() {
        return locked(() -> Collections.unmodifiableSet(new LinkedHashSet<>(duplicates)));
    }

    /**
     * Returns the most requests the listener served at once (from admission to answer),
     * {@linkplain FakeListener#pause() held} ones included and those
     * {@linkplain FakeListener.Builder#maxConcurrency(int) refused over the limit} not.
     *
     * @return the maximum concurrency observed, 0 before any request
     */
    public int inFlightMax() {
        return locked(() -> inFlightMax);
    }

    /**
     * Returns how many answers were sent with each status, 503s over the concurrency limit and
     * the success status included; connections dropped without an answer are in {@link #resets()}.
     *
     * @return an immutable snapshot, by ascending status
     */
    public Map<Integer, Long> statusCounts() {
        return locked(() -> Collections.unmodifiableMap(new TreeMap<>(statuses)));
    }

    /**
     * Returns how many connections the listener dropped without an answer
     * ({@link ListenerAnswer#reset()} and {@link ListenerAnswer#acceptThenReset()}).
     *
     * @return the count
     */
    public long resets() {
        return locked(() -> resets);
    }

    /**
     * Returns how many requests were answered 503 because
     * {@linkplain FakeListener.Builder#maxConcurrency(int) the concurrency limit} was reached.
     *
     * @return the count
     */
    public long overLimit() {
        return locked(() -> overLimit);
    }

    /**
     * Waits until at least {@code n} deliveries have been accepted, repeats included.
     *
     * @param n how many
     * @param timeout how long to wait at most
     * @return the accepted {@code jti}s, as {@link #accepted()}
     * @throws AssertionError if fewer were accepted in time; its message shows the journal
     * @throws InterruptedException if interrupted while waiting
     */
    public List<String> awaitAccepted(int n, Duration timeout) throws InterruptedException {
        await(() -> accepted.size() >= n, timeout, "accepted deliveries", n);
        return accepted();
    }

    /**
     * Waits until at least {@code n} requests are in flight at once, for instance held by
     * {@link FakeListener#pause()} or by {@linkplain FakeListener.Builder#latency(Duration) latency}.
     *
     * @param n how many
     * @param timeout how long to wait at most
     * @throws AssertionError if fewer were in flight when the time ran out; the message shows the journal
     * @throws InterruptedException if interrupted while waiting
     */
    public void awaitInFlight(int n, Duration timeout) throws InterruptedException {
        await(() -> inFlight >= n, timeout, "requests in flight", n);
    }

    /** A summary for failure messages: counts only, no {@code jti}s. */
    @Override
    public String toString() {
        return locked(() -> "received " + received + ", accepted " + accepted.size() + ", duplicates "
                + duplicates.size() + ", statuses " + statuses + ", resets " + resets + ", over limit " + overLimit
                + ", in flight " + inFlight + " (max " + inFlightMax + ")");
    }

    private void await(BooleanSupplier done, Duration timeout, String what, int n) throws InterruptedException {
        Objects.requireNonNull(timeout, "timeout");
        long left = timeout.toNanos();
        lock.lock();
        try {
            while (!done.getAsBoolean()) {
                if (left <= 0) {
                    throw new AssertionError("FakeListener: waited " + timeout + " for " + n + " " + what
                            + "; journal: " + this);
                }
                left = changed.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    private <T> T locked(Supplier<T> read) {
        lock.lock();
        try {
            return read.get();
        } finally {
            lock.unlock();
        }
    }

    private void update(Runnable change) {
        lock.lock();
        try {
            change.run();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // The listener's side.

    /** Counts a request that reached the handler and returns its arrival index (from 0). */
    long arrive() {
        return locked(() -> received++);
    }

    /** Admits a request if fewer than {@code limit} are in flight; otherwise counts it as over the limit. */
    boolean admit(int limit) {
        lock.lock();
        try {
            if (inFlight >= limit) {
                overLimit++;
                return false;
            }
            inFlight++;
            inFlightMax = Math.max(inFlightMax, inFlight);
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Ends an admitted request. */
    void leave() {
        update(() -> inFlight--);
    }

    /** Numbers a valid delivery (from 0), for the script and the mix. */
    long nextDelivery() {
        return locked(() -> deliveries++);
    }

    void answered(int status) {
        update(() -> statuses.merge(status, 1L, Long::sum));
    }

    void accepted(String jti) {
        update(() -> {
            accepted.add(jti);
            if (acceptedTimes.merge(jti, 1, Integer::sum) == 2) {
                duplicates.add(jti);
            }
        });
    }

    void reset() {
        update(() -> resets++);
    }
}
