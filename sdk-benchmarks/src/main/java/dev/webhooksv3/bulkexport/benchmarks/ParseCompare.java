package dev.webhooksv3.bulkexport.benchmarks;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;

/**
 * Parses one export file with the Jackson data-binding baseline ({@link MappingIterator} of
 * {@link BaselineEvent}) and with {@link EventStream}, the parsing side of {@code compare.sh}. Each
 * side reads the id, endpoint, attempts and JWS of every event, as {@link EventStreamBenchmark}
 * does; a third side also reads {@link FailedEvent#createdAt()}. All sides run in this one JVM:
 * first warm-up passes (at least one each, and at least a second in all), then {@code --runs}
 * rounds in which the sides take turns, so that a busy machine slows each alike. Prints the
 * seconds of each side's best pass (Jackson, EventStream, EventStream with {@code createdAt}), the
 * file's bytes and its event count.
 *
 * <p>Not JMH: a best of a few whole-file passes, which is what {@code compare.sh} needs for a row
 * next to the download; {@link EventStreamBenchmark} is the careful measurement.
 *
 * <pre>
 * java -cp sdk-benchmarks/target/benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.ParseCompare \
 *     --file /tmp/export.ndjson --runs 3
 * </pre>
 */
public final class ParseCompare {

    /** The least time all warm-up passes take together, so the JIT has compiled the loops. */
    private static final long WARM_UP_NANOS = 1_000_000_000L;

    /** What the sides read, summed so the JIT cannot drop the reads; printed to stderr. */
    private static long sink;

    private ParseCompare() {
    }

    /**
     * Runs the passes.
     *
     * @param args {@code --file}, {@code --runs} (default 3)
     * @throws Exception if the file cannot be read, or the sides count different events
     */
    public static void main(String[] args) throws Exception {
        Path file = null;
        int runs = 3;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--file" -> file = Path.of(args[i + 1]);
                case "--runs" -> runs = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (file == null) {
            throw new IllegalArgumentException("--file is required");
        }
        ObjectReader jackson = new ObjectMapper().readerFor(BaselineEvent.class);
        Path input = file;
        Side[] sides = {() -> jackson(jackson, input), () -> eventStream(input, false), () -> eventStream(input, true)};
        long events = -1;
        long warmUpStarted = System.nanoTime();
        do {
            for (Side side : sides) {
                events = side.pass();
            }
        } while (System.nanoTime() - warmUpStarted < WARM_UP_NANOS);
        double[] best = {Double.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE};
        for (int run = 0; run < runs; run++) {
            for (int s = 0; s < sides.length; s++) {
                long started = System.nanoTime();
                long count = sides[s].pass();
                best[s] = Math.min(best[s], (System.nanoTime() - started) / 1e9);
                if (count != events) {
                    throw new IllegalStateException("side " + s + " read " + count + " events of " + file
                            + ", an earlier pass " + events);
                }
            }
        }
        System.err.println("sink " + sink);
        System.out.println(String.format(Locale.ROOT, "%.3f %.3f %.3f %d %d", best[0], best[1], best[2],
                Files.size(file), events));
    }

    /** One pass over the file; returns the events read. */
    @FunctionalInterface
    private interface Side {
        long pass() throws IOException;
    }

    private static long jackson(ObjectReader reader, Path file) throws IOException {
        long count = 0;
        long read = 0;
        try (InputStream in = Files.newInputStream(file);
             MappingIterator<BaselineEvent> events = reader.readValues(in)) {
            while (events.hasNextValue()) {
                BaselineEvent event = events.nextValue();
                read += event.id().length() + event.attempts() + event.request().endpoint().length()
                        + event.request().payload().length();
                count++;
            }
        }
        sink += read;
        return count;
    }

    private static long eventStream(Path file, boolean createdAt) {
        long count = 0;
        long read = 0;
        try (EventStream events = EventStream.open(file)) {
            for (FailedEvent event : events) {
                read += event.eventId().orElseThrow().length() + event.attempts().orElseThrow()
                        + event.endpoint().orElseThrow().length() + event.jws().orElseThrow().length();
                if (createdAt) {
                    read += event.createdAt().map(Instant::getNano).orElseThrow();
                }
                count++;
            }
        }
        sink += read;
        return count;
    }
}
