package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.BulkExportClient;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;

/** The {@code --name value} options of the mains {@code compare.sh} runs, and the client they describe. */
final class CompareOptions {

    private CompareOptions() {
    }

    static Map<String, String> parse(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i], args[i + 1]);
        }
        return options;
    }

    /** A client of {@code --base-uri}, {@code --customer}, {@code --client-id} and {@code --client-secret}. */
    static BulkExportClient client(Map<String, String> options) {
        return BulkExportClient.builder()
                .baseUri(URI.create(options.get("--base-uri")))
                .customerId(options.get("--customer"))
                .clientCredentials(options.get("--client-id"), options.get("--client-secret"))
                .build();
    }
}
