package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Iterates a whole (large) export file with {@link EventStream} and reports throughput and heap
 * use, to show that reading is constant-memory. Run it with a small heap:
 *
 * <pre>
 * java -Xmx64m -cp sdk-benchmarks/target/benchmarks.jar \
 *     dev.webhooksv3.bulkexport.benchmarks.ConstantMemoryCheck --file /tmp/export-1g.ndjson
 * </pre>
 *
 * <p>Options: {@code --file PATH} (required; generated with {@code --bytes} when absent),
 * {@code --bytes SIZE} (default {@code 1g}), {@code --seed S}, {@code --expect N} (else the
 * {@code <file>.count} sidecar the generator wrote, if any), {@code --claims} (also decode every
 * event's claims). Exits 1 when the event count differs from the expected one or a line was
 * malformed, 2 on bad arguments.
 */
public final class ConstantMemoryCheck {

    private ConstantMemoryCheck() {
    }

    /**
     * Runs the check.
     *
     * @param args the arguments
     * @throws IOException if the file cannot be generated or read
     */
    public static void main(String[] args) throws IOException {
        Path file = null;
        long bytes = 1L << 30;
        long seed = ExportFileGenerator.DEFAULT_SEED;
        Long expect = null;
        boolean claims = false;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--file" -> file = Path.of(require(args[i], value));
                case "--bytes" -> bytes = ExportFileGenerator.parseSize(require(args[i], value));
                case "--seed" -> seed = Long.parseLong(require(args[i], value));
                case "--expect" -> expect = Long.parseLong(require(args[i], value));
                case "--claims" -> {
                    claims = true;
                    continue;
                }
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (file == null) {
            usage("--file is required");
        }

        if (!Files.exists(file)) {
            System.out.printf(Locale.ROOT, "generating %s (%,d bytes, seed %d) ...%n", file, bytes, seed);
            long start = System.nanoTime();
            ExportFileGenerator.Result result = ExportFileGenerator.writeBytes(file, bytes, seed);
            System.out.printf(Locale.ROOT, "generated %s in %.1f s%n", result, (System.nanoTime() - start) / 1e9);
        }
        Path countFile = ExportFileGenerator.countFile(file);
        if (expect == null && Files.exists(countFile)) {
            expect = Long.parseLong(Files.readString(countFile, StandardCharsets.US_ASCII).trim());
        }
        long size = Files.size(file);

        // Measure the read alone: forget what generating the file (if any) used.
        System.gc();
        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(pool -> pool.getType() == MemoryType.HEAP).toList();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long gcCountBefore = gcCount();
        long gcMillisBefore = gcMillis();

        long events = 0;
        long[] malformed = {0};
        long sampledPeak = 0;
        long claimMembers = 0;
        long start = System.nanoTime();
        EventStreamOptions options = EventStreamOptions.skipAndReport(bad -> {
            if (malformed[0]++ < 5) {
                System.err.println("malformed: " + bad.getMessage());
            }
        });
        try (EventStream stream = EventStream.open(file, options)) {
            for (FailedEvent event : stream) {
                if (event.eventId().isEmpty() || event.endpoint().isEmpty()) {
                    malformed[0]++;
                }
                if (claims) {
                    claimMembers += event.claims().size();
                }
                if ((++events & 0x3FFF) == 0) {
                    sampledPeak = Math.max(sampledPeak, memory.getHeapMemoryUsage().getUsed());
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        sampledPeak = Math.max(sampledPeak, memory.getHeapMemoryUsage().getUsed());
        long poolPeaks = heapPools.stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum();

        System.out.printf(Locale.ROOT, "file            %s%n", file);
        System.out.printf(Locale.ROOT, "events          %,d%s%n", events,
                expect == null ? " (no expected count)" : " (expected " + String.format(Locale.ROOT, "%,d", expect) + ")");
        System.out.printf(Locale.ROOT, "malformed       %,d%n", malformed[0]);
        if (claims) {
            System.out.printf(Locale.ROOT, "claim members   %,d (claims decoded for every event)%n", claimMembers);
        }
        System.out.printf(Locale.ROOT, "bytes           %,d (%.1f MB)%n", size, size / 1e6);
        System.out.printf(Locale.ROOT, "seconds         %.2f%n", seconds);
        System.out.printf(Locale.ROOT, "events/s        %,.0f%n", events / seconds);
        System.out.printf(Locale.ROOT, "MB/s            %.1f%n", size / 1e6 / seconds);
        System.out.printf(Locale.ROOT, "max heap        %.1f MB (Runtime.maxMemory)%n", Runtime.getRuntime().maxMemory() / 1e6);
        System.out.printf(Locale.ROOT, "peak heap used  %.1f MB (sum of heap pool peaks), %.1f MB (sampled every 16384 events)%n",
                poolPeaks / 1e6, sampledPeak / 1e6);
        System.out.printf(Locale.ROOT, "gc              %d collections, %d ms%n", gcCount() - gcCountBefore,
                gcMillis() - gcMillisBefore);

        boolean ok = malformed[0] == 0 && (expect == null || expect == events);
        System.out.println(ok ? "OK" : "FAILED: count or malformed lines are off");
        if (!ok) {
            System.exit(1);
        }
    }

    private static long gcCount() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionCount).filter(n -> n > 0).sum();
    }

    private static long gcMillis() {
        return ManagementFactory.getGarbageCollectorMXBeans().stream()
                .mapToLong(GarbageCollectorMXBean::getCollectionTime).filter(n -> n > 0).sum();
    }

    private static String require(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ConstantMemoryCheck --file PATH [--bytes SIZE] [--seed S] [--expect N] [--claims]");
        System.exit(2);
    }
}
