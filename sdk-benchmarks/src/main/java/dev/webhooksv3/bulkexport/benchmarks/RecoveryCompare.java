package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Recovers one completed export with {@link BulkExportClient#recoverFailedEvents} and a handler
 * that does nothing, the recovery side of {@code compare.sh}: what the checkpointing and event
 * parsing cost on top of {@code downloadExport}. Each of the {@code --runs} recoveries gets a fresh
 * work directory (a used one would hold a completed checkpoint, and the run would recover nothing),
 * deleted afterwards. Prints the seconds of the best run, then the bytes, the events handled and
 * the file's SHA-256.
 *
 * <pre>
 * java -cp sdk-benchmarks/target/benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.RecoveryCompare \
 *     --base-uri http://127.0.0.1:8089 --customer C --client-id ID --client-secret S \
 *     --subscription SUB --export EXPORT --work-parent /tmp --runs 3
 * </pre>
 */
public final class RecoveryCompare {

    private RecoveryCompare() {
    }

    /**
     * Runs the recoveries.
     *
     * @param args {@code --base-uri}, {@code --customer}, {@code --client-id}, {@code --client-secret},
     *     {@code --subscription}, {@code --export}, {@code --work-parent} (where the work directories
     *     are made; default the temporary directory), {@code --runs} (default 3)
     * @throws Exception if a recovery fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = CompareOptions.parse(args);
        BulkExportClient client = CompareOptions.client(options);
        Path parent = Path.of(options.getOrDefault("--work-parent", System.getProperty("java.io.tmpdir")));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        double best = Double.MAX_VALUE;
        RecoveryResult result = null;
        for (int run = 0; run < runs; run++) {
            Path work = Files.createTempDirectory(parent, "recovery-");
            try {
                long started = System.nanoTime();
                result = client.recoverFailedEvents(
                        RecoveryRequest.ofExport(options.get("--subscription"), options.get("--export"), work),
                        event -> { });
                best = Math.min(best, (System.nanoTime() - started) / 1e9);
            } finally {
                deleteTree(work);
            }
        }
        System.out.println(String.format(Locale.ROOT, "%.3f %d %d %s", best, result.bytes(),
                result.eventsHandledThisRun(), result.fileSha256().orElse("-")));
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot delete " + path, e);
                }
            });
        }
    }
}
