package dev.webhooksv3.bulkexport.testkit;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Runs a {@link WebhooksEmulator} as a standalone server until the process is stopped (Ctrl-C).
 *
 * <pre>
 * java -jar sdk-testkit-…-standalone.jar --port 8089 --events 100000 --seed 1 --job-duration-ms 2000 --https
 * java -jar sdk-testkit-…-standalone.jar --port 0 --redirect-downloads --bandwidth-per-connection 50m
 * </pre>
 *
 * <p>It prints the base URI, the customer and subscription ids, the client id and its (test)
 * secret, and curl commands to try; the download command passes {@code -L}, to follow a redirect
 * to the storage origin. With {@code --https} it serves https with a generated certificate,
 * written in PEM to a temporary file that the curl commands pass as {@code --cacert}.
 * {@code --bandwidth-per-connection} caps each download connection (see
 * {@link WebhooksEmulator.Builder#bandwidthPerConnection(long)}); {@code --no-daily-export-limit},
 * {@code --start-status N}, {@code --live-summary}, {@code --redelivery-outcome success|failure} and
 * {@code --redelivery-delay-ms N} set the builder options of those names; and the fault switches
 * that make sense from the start are flags too ({@code --redirect-downloads}, {@code --token-outage N},
 * {@code --fail-next N:STATUS}, {@code --subscription-disabled} …; see {@link Faults}).
 * {@code --help} lists every option.
 *
 * <p>An unknown option, a bad value or a port in use is one line on standard error and exit
 * status 2.
 */
public final class WebhooksEmulatorMain {

    private static final String PROGRAM = "webhooks-emulator";

    private WebhooksEmulatorMain() {
    }

    /**
     * Starts the emulator and waits until the process is stopped.
     *
     * @param args {@code --port N} (default 8089; 0 for any free port), {@code --events N}
     *     (default 100000), {@code --seed N} (default 1), {@code --job-duration-ms N} (default
     *     2000), {@code --client-secret S} (default random), {@code --https} (default plain http),
     *     {@code --bandwidth-per-connection R} (bytes per second per download connection, with
     *     {@code k}, {@code m} or {@code g} for 10^3, 10^6 or 10^9; default 0, unlimited),
     *     {@code --no-daily-export-limit} (default: at most one completed export per 24 hours),
     *     {@code --start-status N} (200, 201 or 202; default 201), {@code --live-summary} (default:
     *     recomputed once a day), {@code --redelivery-outcome success|failure} (default success),
     *     {@code --redelivery-delay-ms N} (default 3000), the fault flags
     *     ({@code --redirect-downloads}, {@code --gzip-downloads}, {@code --subscription-disabled},
     *     {@code --malformed-lines L,L…}, {@code --token-outage N}, {@code --rate-limit-next N:S},
     *     {@code --fail-next N:STATUS}, {@code --create-then-reset-next N},
     *     {@code --create-then-fail-next N:STATUS}, {@code --reset-download-after BYTES:N}), and
     *     {@code --help}
     * @throws InterruptedException if the waiting thread is interrupted
     */
    public static void main(String[] args) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.countDown();
            try {
                stopped.await(5, TimeUnit.SECONDS); // let run() close the emulator
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, PROGRAM + "-shutdown"));
        int status;
        try {
            status = run(args, System.out, System.err, stop);
        } finally {
            stopped.countDown();
        }
        if (status != 0) {
            System.exit(status);
        }
    }

    /**
     * Runs the emulator until {@code stop} opens, or answers {@code --help} or a mistake at once.
     *
     * @return the exit status: 0 after {@code stop} or {@code --help}; 2 for a bad option or a port
     *     that cannot be bound; 1 when the emulator cannot start for another reason
     */
    static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) throws InterruptedException {
        LaunchOptions options;
        try {
            options = LaunchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            return badOption(err, e);
        }
        if (options.help) {
            LaunchOptions.usage(out);
            return 0;
        }
        WebhooksEmulator emulator;
        try {
            emulator = options.builder().start();
        } catch (IllegalArgumentException e) {
            return badOption(err, e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof BindException bind) {
                err.println(PROGRAM + ": cannot listen on 127.0.0.1:" + options.port + " (" + bind.getMessage()
                        + "); choose another --port, or --port 0 for a free one");
                return 2;
            }
            err.println(PROGRAM + ": " + e.getMessage());
            return 1;
        }
        try {
            options.applyTo(emulator.faults());
            banner(out, emulator, options.https ? writeCertificate() : null, options);
            stop.await();
            return 0;
        } catch (UncheckedIOException e) {
            err.println(PROGRAM + ": " + e.getMessage());
            return 1;
        } finally {
            emulator.close();
        }
    }

    private static int badOption(PrintStream err, IllegalArgumentException e) {
        err.println(PROGRAM + ": " + e.getMessage() + " (see --help)");
        return 2;
    }

    private static Path writeCertificate() {
        try {
            Path file = Files.createTempFile(PROGRAM + "-", ".pem");
            file.toFile().deleteOnExit();
            return Files.writeString(file, EmulatorCertificate.get().pem());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the emulator's certificate: " + e.getMessage(), e);
        }
    }

    private static void banner(PrintStream out, WebhooksEmulator e, Path caFile, LaunchOptions options) {
        String curl = caFile == null ? "curl -s" : "curl -s --cacert " + caFile;
        String api = e.baseUri() + "/" + e.customerId();
        String sub = api + "/webhooks/subscriptions/" + e.subscriptionId();
        String bearer = " -H \"Authorization: Bearer $TOKEN\" ";
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
        out.println("  service rules    " + (options.dailyExportLimit ? "one completed export per 24 hours"
                : "any number of completed exports a day") + "; summary " + (options.liveSummary ? "live"
                : "recomputed once a day") + "; start answers " + options.startStatus);
        if (options.bandwidth > 0) {
            out.println("  bandwidth        " + options.bandwidth + " bytes/s per download connection");
        }
        if (!options.faultFlags.isEmpty()) {
            out.println("  faults           " + String.join(" ", options.faultFlags));
        }
        out.println();
        out.println("Try:");
        out.println("  TOKEN=$(" + curl + " -u '" + e.clientId() + ":" + e.clientSecret() + "' \\");
        out.println("      -d 'grant_type=client_credentials&scope=*:webhooks/**' " + api + "/login/token \\");
        out.println("      | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')");
        out.println("  " + curl + bearer + sub + "/summary");
        out.println("  " + curl + " -X POST" + bearer + sub + "/exports");
        out.println("  " + curl + bearer + sub + "/exports");
        out.println("  " + curl + " -L" + bearer + sub + "/exports/<exportId>/download -o export.ndjson");
        out.println("  " + curl + bearer + "'" + sub + "/events?state=failure&limit=5'");
        out.flush();
    }
}
