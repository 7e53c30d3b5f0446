package dev.webhooksv3.bulkexport.testkit;

import java.util.List;

/**
 * The scripted and seeded behaviour of a {@link FakeListener}: the latency of each request and
 * the answer to each valid delivery; immutable.
 *
 * <p>Each draw is a pure function of the seed and the request's (or delivery's) number, not the
 * next value of one shared random generator: requests run on many threads, and with a shared
 * generator the latency one request drew would shift the answers of every later one. So the
 * {@code k}-th delivery gets the same answer for the same seed whatever the timing, and a
 * sequential client sees the same sequence of answers every run.
 */
final class ListenerPlan {

    private static final long LATENCY_SALT = 0x6c61_7465_6e63_7921L;
    private static final long ANSWER_SALT = 0x616e_7377_6572_7321L;

    private final long seed;
    private final long minLatencyNanos;
    private final long maxLatencyNanos;
    private final List<ListenerAnswer> script;
    private final List<ListenerAnswer> mixAnswers;
    private final double[] upperBounds;

    /**
     * @param mixFractions one per mix answer, summing to at most 1
     */
    ListenerPlan(long seed, long minLatencyNanos, long maxLatencyNanos, List<ListenerAnswer> script,
                 List<ListenerAnswer> mixAnswers, List<Double> mixFractions) {
        this.seed = seed;
        this.minLatencyNanos = minLatencyNanos;
        this.maxLatencyNanos = maxLatencyNanos;
        this.script = List.copyOf(script);
        this.mixAnswers = List.copyOf(mixAnswers);
        this.upperBounds = new double[mixFractions.size()];
        double sum = 0;
        for (int i = 0; i < upperBounds.length; i++) {
            sum += mixFractions.get(i);
            upperBounds[i] = sum;
        }
    }

    /** Checks a fraction for {@code FakeListener.Builder.mix} against the ones given before. */
    static void checkMix(ListenerAnswer answer, double fraction, List<Double> earlier) {
        double total = fraction + earlier.stream().mapToDouble(Double::doubleValue).sum();
        if (!(fraction > 0) || total > 1 + 1e-9) {
            throw new IllegalArgumentException("mix fractions must be above 0 and together at most 1: " + fraction
                    + " for " + answer + " makes " + total);
        }
    }

    /** The latency of the request that arrived {@code arrival}-th (from 0), in nanoseconds. */
    long latencyNanos(long arrival) {
        if (maxLatencyNanos == minLatencyNanos) {
            return minLatencyNanos;
        }
        return minLatencyNanos + (long) (uniform(arrival, LATENCY_SALT) * (maxLatencyNanos - minLatencyNanos + 1));
    }

    /** The answer to the {@code delivery}-th valid delivery (from 0): its scripted one, else a draw from the mix. */
    ListenerAnswer answer(long delivery) {
        if (delivery < script.size()) {
            return script.get((int) delivery);
        }
        if (upperBounds.length > 0) {
            double u = uniform(delivery, ANSWER_SALT);
            for (int i = 0; i < upperBounds.length; i++) {
                if (u < upperBounds[i]) {
                    return mixAnswers.get(i);
                }
            }
        }
        return ListenerAnswer.accept();
    }

    /** A uniform draw in [0, 1) from the seed, a number and a salt (SplitMix64's finaliser). */
    private double uniform(long index, long salt) {
        long z = seed ^ salt;
        z += 0x9E37_79B9_7F4A_7C15L * (index + 1);
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        z ^= z >>> 31;
        return (z >>> 11) * 0x1.0p-53;
    }

    @Override
    public String toString() {
        return "seed " + seed + ", latency " + minLatencyNanos + ".." + maxLatencyNanos + " ns, script " + script
                + ", mix " + mixAnswers;
    }
}
