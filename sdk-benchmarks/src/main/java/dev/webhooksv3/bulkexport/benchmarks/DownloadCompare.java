package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.DownloadRequest;
import dev.webhooksv3.bulkexport.DownloadResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Downloads one completed export with {@link BulkExportClient#downloadExport}, the SDK's side of
 * {@code compare.sh}: prints the seconds of the best of {@code --runs} downloads (each into a fresh
 * file, as curl's), then the bytes and the SHA-256.
 *
 * <pre>
 * java -cp sdk-benchmarks/target/benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.DownloadCompare \
 *     --base-uri http://127.0.0.1:8089 --customer C --client-id ID --client-secret S \
 *     --subscription SUB --export EXPORT --target /tmp/sdk.ndjson --runs 3
 * </pre>
 */
public final class DownloadCompare {

    private DownloadCompare() {
    }

    /**
     * Runs the downloads.
     *
     * @param args {@code --base-uri}, {@code --customer}, {@code --client-id}, {@code --client-secret},
     *     {@code --subscription}, {@code --export}, {@code --target}, {@code --runs} (default 3),
     *     {@code --parallelism} (connections, default 1)
     * @throws Exception if a download fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = CompareOptions.parse(args);
        BulkExportClient client = CompareOptions.client(options);
        Path target = Path.of(options.get("--target"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        int parallelism = Integer.parseInt(options.getOrDefault("--parallelism", "1"));
        double best = Double.MAX_VALUE;
        DownloadResult result = null;
        for (int run = 0; run < runs; run++) {
            Files.deleteIfExists(target);
            long started = System.nanoTime();
            result = client.downloadExport(DownloadRequest.of(options.get("--subscription"), options.get("--export"),
                    target).withParallelism(parallelism));
            best = Math.min(best, (System.nanoTime() - started) / 1e9);
        }
        System.out.println(String.format(Locale.ROOT, "%.3f %d %s", best, result.bytes(), result.sha256()));
    }
}
