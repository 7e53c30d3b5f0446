package dev.webhooksv3.bulkexport.testkit;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line of {@link WebhooksEmulatorMain}: emulator settings, and the {@link Faults}
 * switches that make sense from the start (toggles and counts). Parsing checks every value and
 * names the flag in its message, so that a mistake is one clear line rather than a stack trace.
 */
final class LaunchOptions {

    private static final Pattern QUANTITY = Pattern.compile("(\\d+)([kmg]?)");
    private static final Set<String> WITH_VALUE = Set.of("--port", "--events", "--seed", "--job-duration-ms",
            "--client-secret", "--bandwidth-per-connection", "--malformed-lines", "--token-outage",
            "--rate-limit-next", "--fail-next", "--create-then-reset-next", "--create-then-fail-next",
            "--reset-download-after", "--start-status", "--redelivery-outcome", "--redelivery-delay-ms");
    private static final String USAGE = """
            usage: webhooks-emulator [options]
              --port N                         API port on 127.0.0.1 (default 8089; 0 picks a free one)
              --events N                       failed events in the store (default 100000)
              --seed N                         seed of the synthetic events (default 1)
              --job-duration-ms N              how long an export stays processing (default 2000)
              --client-secret S                the secret the token endpoint accepts (default random)
              --https                          serve https with a generated certificate (default http)
              --bandwidth-per-connection R     cap each download connection at R bytes/s, with k, m, g
                                               for 10^3, 10^6, 10^9: 50m is 50 MB/s (default 0, unlimited)
              --no-daily-export-limit          allow more than one completed export per 24 hours
              --start-status N                 what a start answers: 200, 201 or 202 (default 201)
              --live-summary                   recompute the summary on every request (default once a day)
              --redelivery-outcome O           success or failure: a redelivered event's end (default success)
              --redelivery-delay-ms N          how long it is awaiting-retry first (default 3000)
            faults, counted from the first request:
              --redirect-downloads             downloads answer 302 to a pre-signed storage origin
              --subscription-disabled          redeliveries answer 409: the subscription is disabled
              --gzip-downloads                 gzip downloads for clients that accept it
              --malformed-lines L,L...         these lines (from 1) of every export file are malformed
              --token-outage N                 the first N token requests answer 503
              --rate-limit-next N:S            the first N API requests answer 429, Retry-After S seconds
              --fail-next N:STATUS             the first N API requests answer STATUS (400 to 599)
              --create-then-reset-next N       the first N export starts create a job, then drop the connection
              --create-then-fail-next N:STATUS the first N export starts create a job, then answer STATUS
              --reset-download-after BYTES:N   the first N downloads are cut after BYTES (k, m, g allowed)
              --help                           this text
            """;

    /** A switch for the first {@code count} requests, with its value (seconds, a status, bytes). */
    record Armed(int count, long value) {
    }

    int port = 8089;
    long events = 100_000;
    long seed = 1;
    long jobMillis = 2_000;
    String clientSecret;
    boolean https;
    long bandwidth;
    boolean help;
    boolean dailyExportLimit = true;
    int startStatus = 201;
    boolean liveSummary;
    WebhooksEmulator.RedeliveryOutcome redeliveryOutcome = WebhooksEmulator.RedeliveryOutcome.SUCCESS;
    long redeliveryDelayMillis = 3_000;
    boolean subscriptionDisabled;
    boolean redirectDownloads;
    boolean gzipDownloads;
    long[] malformedLines = new long[0];
    int tokenOutage;
    int createThenResetNext;
    /** Null when not given. */
    Armed rateLimitNext;
    Armed failNext;
    Armed createThenFailNext;
    Armed resetDownloadAfter;
    /** The fault flags as given, for the banner. */
    final List<String> faultFlags = new ArrayList<>();

    /**
     * Reads the arguments.
     *
     * @throws IllegalArgumentException naming the flag, for an unknown flag, a missing value or a bad one
     */
    static LaunchOptions parse(String... args) {
        LaunchOptions o = new LaunchOptions();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            switch (flag) {
                case "--help", "-h" -> o.help = true;
                case "--https" -> o.https = true;
                case "--no-daily-export-limit" -> o.dailyExportLimit = false;
                case "--live-summary" -> o.liveSummary = true;
                case "--subscription-disabled" -> o.subscriptionDisabled = o.fault(flag);
                case "--redirect-downloads" -> o.redirectDownloads = o.fault(flag);
                case "--gzip-downloads" -> o.gzipDownloads = o.fault(flag);
                default -> {
                    if (!WITH_VALUE.contains(flag)) {
                        throw new IllegalArgumentException("unknown option " + flag);
                    }
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException(flag + " needs a value");
                    }
                    o.set(flag, args[++i]);
                }
            }
        }
        return o;
    }

    private void set(String flag, String value) {
        switch (flag) {
            case "--port" -> port = (int) number(flag, value, 0, 65_535);
            case "--events" -> events = number(flag, value.replace("_", ""), 0, (1L << 48) - 1);
            case "--seed" -> seed = signed(flag, value);
            case "--job-duration-ms" -> jobMillis = number(flag, value, 0, Long.MAX_VALUE);
            case "--client-secret" -> {
                if (value.isBlank()) {
                    throw new IllegalArgumentException(flag + " needs a non-blank secret");
                }
                clientSecret = value;
            }
            case "--bandwidth-per-connection" -> bandwidth = quantity(flag, value);
            case "--start-status" -> startStatus = (int) number(flag, value, 200, 202);
            case "--redelivery-delay-ms" -> redeliveryDelayMillis = number(flag, value, 0, Long.MAX_VALUE);
            case "--redelivery-outcome" -> {
                if (!value.equals("success") && !value.equals("failure")) {
                    throw new IllegalArgumentException(flag + " needs success or failure, got \"" + value + "\"");
                }
                redeliveryOutcome = WebhooksEmulator.RedeliveryOutcome.valueOf(value.toUpperCase(Locale.ROOT));
            }
            default -> setFault(flag, value);
        }
    }

    private void setFault(String flag, String value) {
        fault(flag + " " + value);
        switch (flag) {
            case "--malformed-lines" -> {
                String[] items = value.split(",", -1);
                malformedLines = new long[items.length];
                for (int i = 0; i < items.length; i++) {
                    malformedLines[i] = number(flag, items[i].strip(), 1, Long.MAX_VALUE);
                }
            }
            case "--token-outage" -> tokenOutage = count(flag, value);
            case "--create-then-reset-next" -> createThenResetNext = count(flag, value);
            case "--rate-limit-next" -> {
                String[] parts = pair(flag, value, "N:SECONDS");
                rateLimitNext = new Armed(count(flag, parts[0]), number(flag, parts[1], 0, Long.MAX_VALUE));
            }
            case "--fail-next" -> {
                String[] parts = pair(flag, value, "N:STATUS");
                failNext = new Armed(count(flag, parts[0]), number(flag, parts[1], 400, 599));
            }
            case "--create-then-fail-next" -> {
                String[] parts = pair(flag, value, "N:STATUS");
                createThenFailNext = new Armed(count(flag, parts[0]), number(flag, parts[1], 400, 599));
            }
            case "--reset-download-after" -> {
                String[] parts = pair(flag, value, "BYTES:N");
                resetDownloadAfter = new Armed(count(flag, parts[1]), quantity(flag, parts[0]));
            }
            default -> throw new IllegalStateException("no setter for " + flag);
        }
    }

    private boolean fault(String given) {
        faultFlags.add(given);
        return true;
    }

    /** A builder with these settings; it still checks what it owns (such as a blank secret). */
    WebhooksEmulator.Builder builder() {
        WebhooksEmulator.Builder builder = WebhooksEmulator.builder().port(port).failedEvents(events).seed(seed)
                .jobDuration(Duration.ofMillis(jobMillis)).bandwidthPerConnection(bandwidth)
                .oneCompletedExportPerDay(dailyExportLimit).startStatus(startStatus).liveSummary(liveSummary)
                .redeliveryOutcome(redeliveryOutcome).redeliveryDelay(Duration.ofMillis(redeliveryDelayMillis));
        if (clientSecret != null) {
            builder.clientSecret(clientSecret);
        }
        if (https) {
            builder.https();
        }
        return builder;
    }

    /** Sets the fault switches given; those not given stay off. */
    void applyTo(Faults faults) {
        faults.redirectDownloads(redirectDownloads).gzipDownloads(gzipDownloads).malformedLines(malformedLines)
                .tokenOutage(tokenOutage).createThenResetNext(createThenResetNext)
                .subscriptionDisabled(subscriptionDisabled);
        if (rateLimitNext != null) {
            faults.rateLimitNext(rateLimitNext.count(), Duration.ofSeconds(rateLimitNext.value()));
        }
        if (failNext != null) {
            faults.failNext(failNext.count(), (int) failNext.value());
        }
        if (createThenFailNext != null) {
            faults.createThenFailNext(createThenFailNext.count(), (int) createThenFailNext.value());
        }
        if (resetDownloadAfter != null) {
            faults.resetDownloadAfter(resetDownloadAfter.value(), resetDownloadAfter.count());
        }
    }

    static void usage(PrintStream out) {
        out.print(USAGE);
        out.flush();
    }

    private static long number(String flag, String value, long min, long max) {
        try {
            long n = Long.parseLong(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the message, which says what is expected
        }
        throw new IllegalArgumentException(flag + " needs a whole number " + (max == Long.MAX_VALUE
                ? "of at least " + min : "from " + min + " to " + max) + ", got \"" + value + "\"");
    }

    private static long signed(String flag, String value) {
        try {
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag + " needs a whole number, got \"" + value + "\"");
        }
    }

    private static int count(String flag, String value) {
        return (int) number(flag, value, 0, Integer.MAX_VALUE);
    }

    /** The two sides of {@code A:B}. */
    private static String[] pair(String flag, String value, String form) {
        int colon = value.indexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException(flag + " needs " + form + ", got \"" + value + "\"");
        }
        return new String[] {value.substring(0, colon), value.substring(colon + 1)};
    }

    /** A whole number with an optional decimal suffix: {@code 50m} is 50,000,000. */
    static long quantity(String flag, String value) {
        Matcher m = QUANTITY.matcher(value.strip().toLowerCase(Locale.ROOT));
        try {
            if (m.matches()) {
                long unit = switch (m.group(2)) {
                    case "k" -> 1_000L;
                    case "m" -> 1_000_000L;
                    case "g" -> 1_000_000_000L;
                    default -> 1L;
                };
                return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
            }
        } catch (ArithmeticException | NumberFormatException tooLarge) {
            // fall through to the message
        }
        throw new IllegalArgumentException(flag + " needs a whole number with an optional k, m or g (10^3, 10^6, "
                + "10^9), such as 50m, got \"" + value + "\"");
    }
}
