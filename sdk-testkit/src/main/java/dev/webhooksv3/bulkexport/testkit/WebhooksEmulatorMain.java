package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * Runs a {@link WebhooksEmulator} as a standalone server until the process is stopped (Ctrl-C).
 *
 * <pre>
 * java -jar sdk-testkit-…-standalone.jar --port 8089 --events 100000 --seed 1 --job-duration-ms 2000 --https
 * </pre>
 *
 * <p>It prints the base URI, the customer and subscription ids, the client id and its (test)
 * secret, and curl commands to try. With {@code --https} it serves https with a generated
 * certificate, written in PEM to a temporary file that the curl commands pass as {@code --cacert}.
 */
public final class WebhooksEmulatorMain {

    private WebhooksEmulatorMain() {
    }

    /**
     * Starts the emulator and waits until the process is stopped.
     *
     * @param args {@code --port N} (default 8089; 0 for any free port), {@code --events N}
     *     (default 100000), {@code --seed N} (default 1), {@code --job-duration-ms N} (default
     *     2000), {@code --client-secret S} (default random), {@code --https} (default plain http),
     *     {@code --help}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        int port = 8089;
        long events = 100_000;
        long seed = 1;
        long jobMillis = 2_000;
        String secret = null;
        boolean https = false;
        try {
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                if (arg.equals("--help") || arg.equals("-h")) {
                    usage(System.out);
                    return;
                }
                if (arg.equals("--https")) {
                    https = true;
                    continue;
                }
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value after " + arg);
                }
                String value = args[++i];
                switch (arg) {
                    case "--port" -> port = Integer.parseInt(value);
                    case "--events" -> events = Long.parseLong(value.replace("_", ""));
                    case "--seed" -> seed = Long.parseLong(value);
                    case "--job-duration-ms" -> jobMillis = Long.parseLong(value);
                    case "--client-secret" -> secret = value;
                    default -> throw new IllegalArgumentException("unknown option " + arg);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("webhooks-emulator: " + e.getMessage());
            usage(System.err);
            System.exit(2);
            return;
        }
        WebhooksEmulator.Builder builder = WebhooksEmulator.builder().port(port).failedEvents(events).seed(seed)
                .jobDuration(Duration.ofMillis(jobMillis));
        if (secret != null) {
            builder.clientSecret(secret);
        }
        Path caFile = null;
        if (https) {
            builder.https();
            caFile = writeCertificate();
        }
        WebhooksEmulator emulator = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            emulator.close();
            stopped.countDown();
        }, "webhooks-emulator-shutdown"));
        banner(System.out, emulator, caFile);
        stopped.await();
    }

    private static Path writeCertificate() {
        try {
            Path file = Files.createTempFile("webhooks-emulator-", ".pem");
            file.toFile().deleteOnExit();
            return Files.writeString(file, EmulatorCertificate.get().pem());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the emulator's certificate: " + e.getMessage(), e);
        }
    }

    private static void banner(PrintStream out, WebhooksEmulator e, Path caFile) {
        String curl = caFile == null ? "curl -s" : "curl -s --cacert " + caFile;
        String api = e.baseUri() + "/" + e.customerId();
        String sub = api + "/webhooks/subscriptions/" + e.subscriptionId();
        out.println("Webhooks v3 bulk export emulator running (Ctrl-C to stop)");
        out.println();
        out.println("  base URI         " + e.baseUri());
        out.println("  customer id      " + e.customerId());
        out.println("  subscription id  " + e.subscriptionId());
        out.println("  client id        " + e.clientId());
        out.println("  client secret    " + e.clientSecret() + "   (a test secret)");
        out.println("  failed events    " + e.failedEventCount());
        if (caFile != null) {
            out.println("  certificate      " + caFile + "   (self-signed, for localhost and 127.0.0.1)");
        }
        out.println();
        out.println("Try:");
        out.println("  TOKEN=$(" + curl + " -u '" + e.clientId() + ":" + e.clientSecret() + "' \\");
        out.println("      -d 'grant_type=client_credentials&scope=*:webhooks/**' " + api + "/login/token \\");
        out.println("      | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
        out.println("  " + curl + " -H \"Authorization: Bearer $TOKEN\" " + sub + "/summary");
        out.println("  " + curl + " -X POST -H \"Authorization: Bearer $TOKEN\" " + sub + "/exports");
        out.println("  " + curl + " -H \"Authorization: Bearer $TOKEN\" " + sub + "/exports");
        out.println("  " + curl + " -H \"Authorization: Bearer $TOKEN\" " + sub + "/exports/<exportId>/download -o export.ndjson");
        out.println("  " + curl + " -H \"Authorization: Bearer $TOKEN\" '" + sub + "/events?state=failure&limit=5'");
        out.flush();
    }

    private static void usage(PrintStream out) {
        out.println("usage: webhooks-emulator [--port 8089] [--events 100000] [--seed 1] [--job-duration-ms 2000]"
                + " [--client-secret S] [--https]");
    }
}
