package dev.webhooksv3.bulkexport.benchmarks;

import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import dev.webhooksv3.bulkexport.testkit.RecordedRequest;
import dev.webhooksv3.bulkexport.testkit.WebhooksEmulator;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The soak: {@code recoverFailedEvents} over an emulator export of (by default) 1,000,000 events
 * while a thread injects random faults throughout — connection resets mid-download, 429 with
 * {@code Retry-After}, 503, token expiry — in a small heap. A run that fails is run again with the
 * same working directory (the crash-and-rerun contract). Checks that every event was handled
 * exactly once (count and the set of ids equal the export's), and that the file's SHA-256 equals
 * that of a clean download; prints the run's figures. Exits 1 on any mismatch.
 *
 * <pre>
 * java -Xmx128m -cp sdk-benchmarks/target/benchmarks.jar \
 *     dev.webhooksv3.bulkexport.benchmarks.SoakRecovery --events 1000000 --seed 7
 * </pre>
 */
public final class SoakRecovery {

    private SoakRecovery() {
    }

    /**
     * Runs the soak.
     *
     * @param args {@code --events N} (default 1,000,000), {@code --seed S} (default 7),
     *     {@code --fault-every-ms M} (default 150)
     * @throws Exception if the soak itself cannot run
     */
    public static void main(String[] args) throws Exception {
        int events = 1_000_000;
        long seed = 7;
        long faultEveryMs = 150;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--events" -> events = Integer.parseInt(args[i + 1]);
                case "--seed" -> seed = Long.parseLong(args[i + 1]);
                case "--fault-every-ms" -> faultEveryMs = Long.parseLong(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Path work = Files.createTempDirectory("soak-recovery-");
        try (WebhooksEmulator emulator = WebhooksEmulator.builder().seed(seed).failedEvents(events)
                .jobDuration(Duration.ofSeconds(3)).start()) {
            BulkExportClient client = emulator.clientBuilder()
                    .retryPolicy(new RetryPolicy(6, Duration.ofMillis(20), Duration.ofMillis(500), Duration.ofSeconds(5), 0.5))
                    .requestTimeout(Duration.ofSeconds(10))
                    .build();
            long[] handled = new long[events];
            int[] count = {0};
            long[] injected = new long[4];
            AtomicBoolean running = new AtomicBoolean(true);
            Thread faults = faultInjector(emulator, new Random(seed), faultEveryMs, running, injected);
            HeapPeak.reset();
            long started = System.nanoTime();
            RecoveryRequest request = RecoveryRequest.of(emulator.subscriptionId(), work)
                    .withAwait(AwaitOptions.defaults().withPollInterval(Duration.ofMillis(200), Duration.ofSeconds(1)));
            RecoveryResult result = null;
            int runs = 0;
            while (result == null) {
                runs++;
                try {
                    result = client.recoverFailedEvents(request, event -> {
                        if (count[0] == handled.length) {
                            throw new IllegalStateException("more events handed over than exported");
                        }
                        handled[count[0]++] = key(event.eventId().orElseThrow());
                    });
                } catch (BulkExportException failure) {
                    System.out.println("run " + runs + " failed, running again: " + failure.getMessage());
                    if (runs == 20) {
                        throw failure;
                    }
                }
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            running.set(false);
            faults.join();
            emulator.faults().clear();
            double peakHeap = HeapPeak.megabytes();

            String cleanSha = sha256(client, emulator.subscriptionId(), result.exportId().orElseThrow());
            long[] expected = new long[events];
            for (int i = 0; i < events; i++) {
                expected[i] = key(emulator.eventId(i));
            }
            Arrays.sort(expected);
            long[] seen = Arrays.copyOf(handled, count[0]);
            Arrays.sort(seen);
            long duplicates = 0;
            for (int i = 1; i < seen.length; i++) {
                duplicates += seen[i] == seen[i - 1] ? 1 : 0;
            }
            boolean sameSet = Arrays.equals(expected, seen);
            List<RecordedRequest> journal = emulator.journal();
            long downloads = journal.stream().filter(r -> r.path().endsWith("/download") || r.isStorage()).count();
            long throttled = journal.stream().filter(r -> r.status() == 429 || r.status() == 503).count();
            long tokens = journal.stream().filter(r -> r.path().endsWith("/login/token")).count();

            System.out.printf(Locale.ROOT, "events exported      %,d%n", events);
            System.out.printf(Locale.ROOT, "events handled       %,d (%,d distinct ids, %d duplicates, set equal to the export: %s)%n",
                    count[0], seen.length - duplicates, duplicates, sameSet);
            System.out.printf(Locale.ROOT, "file                 %,d bytes, sha256 %s clean download%n", result.bytes(),
                    result.fileSha256().orElseThrow().equals(cleanSha) ? "equals the" : "DIFFERS from the");
            System.out.printf(Locale.ROOT, "runs                 %d (each failed run continued by the next from its checkpoint)%n", runs);
            System.out.printf(Locale.ROOT, "elapsed              %.1f s, %,.0f events/s end to end%n", seconds, events / seconds);
            synchronized (injected) {
                System.out.printf(Locale.ROOT, "faults injected      %,d resets armed, %,d 429 armed, %,d 503 armed, "
                        + "%,d token expiries%n", injected[0], injected[1], injected[2], injected[3]);
            }
            System.out.printf(Locale.ROOT, "download requests    %,d (%,d resumes)%n", downloads, Math.max(0, downloads - 1));
            System.out.printf(Locale.ROOT, "429/503 answered     %,d (each retried)%n", throttled);
            System.out.printf(Locale.ROOT, "token requests       %,d%n", tokens);
            System.out.printf(Locale.ROOT, "heap                 max %.0f MB, peak used %.1f MB%n",
                    Runtime.getRuntime().maxMemory() / 1e6, peakHeap);
            boolean ok = sameSet && duplicates == 0 && count[0] == events && result.fileSha256().orElseThrow().equals(cleanSha);
            System.out.println(ok ? "OK" : "FAILED");
            if (!ok) {
                System.exit(1);
            }
        } finally {
            try (var files = Files.list(work)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
            }
            Files.deleteIfExists(work);
        }
    }

    private static Thread faultInjector(WebhooksEmulator emulator, Random random, long everyMs, AtomicBoolean running,
                                        long[] injected) {
        Thread thread = new Thread(() -> {
            while (running.get()) {
                int kind = random.nextInt(4);
                switch (kind) {
                    case 0 -> emulator.faults().resetDownloadAfter(1 + random.nextInt(40_000_000), 1);
                    case 1 -> emulator.faults().rateLimitNext(1 + random.nextInt(2), Duration.ofSeconds(1));
                    case 2 -> emulator.faults().failNext(1 + random.nextInt(2), 503);
                    default -> emulator.faults().expireTokensNow();
                }
                synchronized (injected) {
                    injected[kind]++;
                }
                try {
                    Thread.sleep(everyMs);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "soak-faults");
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    private static long key(String id) {
        UUID uuid = UUID.fromString(id);
        return uuid.getMostSignificantBits() ^ Long.rotateLeft(uuid.getLeastSignificantBits(), 17);
    }

    private static String sha256(BulkExportClient client, String subscriptionId, String exportId) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = client.openExport(subscriptionId, exportId)) {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}
