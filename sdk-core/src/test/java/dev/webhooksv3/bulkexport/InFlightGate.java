package dev.webhooksv3.bulkexport;

import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;

/**
 * A WireMock transformer that counts the requests in flight at the server and holds them in waves:
 * each request waits until {@code width} are in flight (or all that are left of {@code total}), so
 * that a client keeping {@code width} in flight is seen doing so; fewer, and the maximum stays below
 * {@code width}. Stubs opt in with {@code .withTransformers(InFlightGate.NAME)}.
 *
 * <p>Whether a client would send one more cannot be seen without waiting for a request that a
 * correct client never sends; so a full wave is held a little longer ({@link #GRACE_MILLIS}) before
 * it is released, or until one more arrives. That hold decides nothing for a correct client (it
 * always ends in the same counts); it only gives an over-eager client the chance to show a maximum
 * above {@code width}. A wave that never fills gives up after a safety timeout.
 */
final class InFlightGate implements ResponseDefinitionTransformerV2 {

    static final String NAME = "in-flight-gate";
    private static final long GRACE_MILLIS = 150;
    private static final long SAFETY_MILLIS = 5_000;

    private int width = 1;
    private int total = Integer.MAX_VALUE;
    private int inFlight;
    private int arrived;
    private int completed;
    private int max;
    private int wave;
    private long fullSince;
    private boolean open;

    /** Starts counting afresh: hold until {@code width} are in flight, of {@code total} requests. */
    synchronized void reset(int width, int total) {
        this.width = width;
        this.total = total;
        inFlight = 0;
        arrived = 0;
        completed = 0;
        max = 0;
        fullSince = 0;
        open = false;
    }

    /** Lets every held request, and every later one, through. */
    synchronized void open() {
        open = true;
        notifyAll();
    }

    /** Waits until {@code n} requests have arrived; false if they did not within the safety timeout. */
    synchronized boolean awaitArrivals(int n) throws InterruptedException {
        long deadline = System.currentTimeMillis() + SAFETY_MILLIS;
        while (arrived < n && System.currentTimeMillis() < deadline) {
            wait(Math.max(1, deadline - System.currentTimeMillis()));
        }
        return arrived >= n;
    }

    synchronized int max() {
        return max;
    }

    @Override
    public ResponseDefinition transform(ServeEvent serveEvent) {
        synchronized (this) {
            arrived++;
            inFlight++;
            max = Math.max(max, inFlight);
            notifyAll();
            int mine = wave;
            long giveUp = System.currentTimeMillis() + SAFETY_MILLIS;
            try {
                while (!open && wave == mine && System.currentTimeMillis() < giveUp) {
                    long now = System.currentTimeMillis();
                    boolean allLeftAreHere = inFlight >= total - completed;
                    boolean full = inFlight >= width;
                    if (full && fullSince == 0) {
                        fullSince = now;
                    }
                    if (allLeftAreHere || inFlight > width || full && now - fullSince >= GRACE_MILLIS) {
                        wave++;
                        fullSince = 0;
                        notifyAll();
                        break;
                    }
                    wait(full ? Math.max(1, fullSince + GRACE_MILLIS - now) : Math.max(1, giveUp - now));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            // Counted out before the answer leaves: the client cannot send its next request earlier.
            inFlight--;
            completed++;
            notifyAll();
        }
        return serveEvent.getResponseDefinition();
    }

    @Override
    public boolean applyGlobally() {
        return false;
    }

    @Override
    public String getName() {
        return NAME;
    }
}
