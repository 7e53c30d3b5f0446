package dev.webhooksv3.bulkexport.testkit;

/**
 * One fault switch of {@link Faults}, armed for the next {@code n} requests, each of which takes
 * the switch's value (a status, a byte count, seconds); thread-safe. Arming and taking share one
 * lock, so a count and its value always change together.
 */
final class Shots {

    private int left;
    private long value;

    /** Arms the switch for {@code n} requests (0 disarms it), each to get {@code value} (not negative). */
    synchronized void arm(int n, long value) {
        this.left = n;
        this.value = value;
    }

    /** Uses up one shot and returns its value, or returns -1 when none is left. */
    synchronized long take() {
        if (left == 0) {
            return -1;
        }
        left--;
        return value;
    }
}
