package dev.webhooksv3.bulkexport.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The JDK's own floor for {@code compare.sh}: {@code HttpClient} (HTTP/1.1) with
 * {@code BodyHandlers.ofFile}, no SHA-256, no fsync, no resume: prints the seconds of the best of
 * {@code --runs} downloads of {@code --url} (each into a fresh file), then the bytes.
 *
 * <pre>
 * java -cp sdk-benchmarks/target/benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.JdkDownload \
 *     --url http://127.0.0.1:8089/…/download --token T --target /tmp/jdk.ndjson --runs 3
 * </pre>
 */
public final class JdkDownload {

    private JdkDownload() {
    }

    /**
     * Runs the downloads.
     *
     * @param args {@code --url}, {@code --token}, {@code --target}, {@code --runs} (default 3)
     * @throws Exception if a download fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = CompareOptions.parse(args);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create(options.get("--url")))
                .header("Authorization", "Bearer " + options.get("--token")).build();
        Path target = Path.of(options.get("--target"));
        int runs = Integer.parseInt(options.getOrDefault("--runs", "3"));
        double best = Double.MAX_VALUE;
        for (int run = 0; run < runs; run++) {
            Files.deleteIfExists(target);
            long started = System.nanoTime();
            HttpResponse<Path> response = client.send(request, HttpResponse.BodyHandlers.ofFile(target));
            best = Math.min(best, (System.nanoTime() - started) / 1e9);
            if (response.statusCode() != 200) {
                throw new IllegalStateException("GET answered " + response.statusCode());
            }
        }
        System.out.println(String.format(Locale.ROOT, "%.3f %d", best, Files.size(target)));
        Files.delete(target);
    }
}
