package dev.webhooksv3.bulkexport.benchmarks;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Reads the same generated export file three ways, each invocation consuming every event:
 * the {@link BufferedReader#readLine()} floor (I/O and UTF-8 decoding only), the Jackson
 * data-binding baseline ({@link MappingIterator} of {@link BaselineEvent}) and
 * {@link EventStream}. The score is events per second ({@link OperationsPerInvocation} is the
 * event count); MB/s is the score times the mean line length printed at setup.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@OperationsPerInvocation(EventStreamBenchmark.EVENTS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Benchmark)
public class EventStreamBenchmark {

    /** Events in the file: about 75 MB. */
    static final int EVENTS = 50_000;

    private Path file;
    private ObjectReader jackson;

    /**
     * Writes the file, once per fork.
     *
     * @throws IOException if it cannot be written
     */
    @Setup(Level.Trial)
    public void writeFile() throws IOException {
        file = Files.createTempFile("eventstream-benchmark-", ".ndjson");
        ExportFileGenerator.Result result = ExportFileGenerator.writeEvents(file, EVENTS, ExportFileGenerator.DEFAULT_SEED);
        System.out.println();
        System.out.println("# export file " + result + "; MB/s = events/s x "
                + String.format(java.util.Locale.ROOT, "%.1f", result.bytesPerEvent()) + " / 1e6");
        jackson = new ObjectMapper().readerFor(BaselineEvent.class);
    }

    /**
     * Deletes the file.
     *
     * @throws IOException if it cannot be deleted
     */
    @TearDown(Level.Trial)
    public void deleteFile() throws IOException {
        Files.deleteIfExists(file);
        Files.deleteIfExists(ExportFileGenerator.countFile(file));
    }

    /**
     * The floor: lines read and decoded to strings, nothing parsed.
     *
     * @param bh the sink
     * @throws IOException if reading fails
     */
    @Benchmark
    public void readLineFloor(Blackhole bh) throws IOException {
        int count = 0;
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                bh.consume(line);
                count++;
            }
        }
        check(count);
    }

    /**
     * The baseline: Jackson data binding of the eagerly extracted members.
     *
     * @param bh the sink
     * @throws IOException if reading fails
     */
    @Benchmark
    public void jacksonMappingIterator(Blackhole bh) throws IOException {
        int count = 0;
        try (InputStream in = Files.newInputStream(file);
             MappingIterator<BaselineEvent> events = jackson.readValues(in)) {
            while (events.hasNextValue()) {
                BaselineEvent event = events.nextValue();
                bh.consume(event.id());
                bh.consume(event.request().endpoint());
                bh.consume(event);
                count++;
            }
        }
        check(count);
    }

    /**
     * The SDK's reader.
     *
     * @param bh the sink
     */
    @Benchmark
    public void eventStream(Blackhole bh) {
        int count = 0;
        try (EventStream events = EventStream.open(file)) {
            for (FailedEvent event : events) {
                bh.consume(event.eventId());
                bh.consume(event.endpoint());
                bh.consume(event);
                count++;
            }
        }
        check(count);
    }

    /**
     * The SDK's reader with the JWS read too, like for like with the baseline, which always
     * builds the payload string ({@code EventStream} decodes it only on demand).
     *
     * @param bh the sink
     */
    @Benchmark
    public void eventStreamReadingJws(Blackhole bh) {
        int count = 0;
        try (EventStream events = EventStream.open(file)) {
            for (FailedEvent event : events) {
                bh.consume(event.eventId());
                bh.consume(event.endpoint());
                bh.consume(event.jws());
                bh.consume(event);
                count++;
            }
        }
        check(count);
    }

    /**
     * The same as {@link #eventStreamReadingJws}, also reading the record's {@code createdAt}: the
     * date accessor's cost, to set against the stream without it.
     *
     * @param bh the sink
     */
    @Benchmark
    public void eventStreamReadingJwsAndCreatedAt(Blackhole bh) {
        int count = 0;
        try (EventStream events = EventStream.open(file)) {
            for (FailedEvent event : events) {
                bh.consume(event.eventId());
                bh.consume(event.endpoint());
                bh.consume(event.jws());
                bh.consume(event.createdAt());
                bh.consume(event);
                count++;
            }
        }
        check(count);
    }

    private static void check(int count) {
        if (count != EVENTS) {
            throw new IllegalStateException("read " + count + " events, expected " + EVENTS);
        }
    }
}
