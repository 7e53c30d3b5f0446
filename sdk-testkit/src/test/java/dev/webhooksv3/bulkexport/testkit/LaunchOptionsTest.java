package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LaunchOptionsTest {

    private static IllegalArgumentException refused(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> LaunchOptions.parse(args));
    }

    @Test
    void noArgumentsGiveTheDefaultsOfTheUsageText() {
        LaunchOptions options = LaunchOptions.parse();

        assertEquals(8089, options.port);
        assertEquals(100_000, options.events);
        assertEquals(1, options.seed);
        assertEquals(2_000, options.jobMillis);
        assertNull(options.clientSecret);
        assertFalse(options.https);
        assertEquals(0, options.bandwidth);
        assertTrue(options.faultFlags.isEmpty());
    }

    @Test
    void bandwidthTakesDecimalSuffixes() {
        assertEquals(50_000_000, LaunchOptions.parse("--bandwidth-per-connection", "50m").bandwidth);
        assertEquals(50_000_000, LaunchOptions.parse("--bandwidth-per-connection", "50M").bandwidth);
        assertEquals(2_000, LaunchOptions.parse("--bandwidth-per-connection", "2k").bandwidth);
        assertEquals(1_000_000_000, LaunchOptions.parse("--bandwidth-per-connection", "1g").bandwidth);
        assertEquals(1_500, LaunchOptions.parse("--bandwidth-per-connection", "1500").bandwidth);
        assertEquals(0, LaunchOptions.parse("--bandwidth-per-connection", "0").bandwidth);
    }

    @Test
    void badBandwidthsAreRefusedNamingTheFlagAndTheValue() {
        for (String bad : List.of("5x", "-1", "1.5m", "", "m", "99999999999g", "99999999999999999999")) {
            IllegalArgumentException e = refused("--bandwidth-per-connection", bad);
            assertTrue(e.getMessage().startsWith("--bandwidth-per-connection needs a whole number"), e.getMessage());
            assertTrue(e.getMessage().contains("\"" + bad + "\""), e.getMessage());
        }
    }

    @Test
    void unknownOptionsMissingValuesAndBadNumbersNameTheFlag() {
        assertEquals("unknown option --frobnicate", refused("--frobnicate").getMessage());
        assertEquals("unknown option extra", refused("--https", "extra").getMessage());
        assertEquals("--port needs a value", refused("--port").getMessage());
        assertEquals("--port needs a whole number from 0 to 65535, got \"abc\"", refused("--port", "abc").getMessage());
        assertEquals("--port needs a whole number from 0 to 65535, got \"70000\"", refused("--port", "70000").getMessage());
        assertTrue(refused("--events", "-5").getMessage().startsWith("--events needs a whole number from 0"));
        assertEquals("--fail-next needs N:STATUS, got \"3\"", refused("--fail-next", "3").getMessage());
        assertEquals("--fail-next needs a whole number from 400 to 599, got \"200\"",
                refused("--fail-next", "3:200").getMessage());
        assertEquals("--token-outage needs a whole number from 0 to 2147483647, got \"-1\"",
                refused("--token-outage", "-1").getMessage());
        assertEquals("--malformed-lines needs a whole number of at least 1, got \"0\"",
                refused("--malformed-lines", "3,0").getMessage());
        assertEquals("--client-secret needs a non-blank secret", refused("--client-secret", " ").getMessage());
    }

    @Test
    void settingsReachTheEmulatorTheyBuild() {
        LaunchOptions options = LaunchOptions.parse("--port", "0", "--events", "1_000", "--seed", "5",
                "--client-secret", "s3cret", "--job-duration-ms", "0");

        try (WebhooksEmulator emulator = options.builder().start();
                WebhooksEmulator seeded = WebhooksEmulator.builder().seed(5).failedEvents(1_000).start()) {
            assertEquals(1_000, emulator.failedEventCount());
            assertEquals("s3cret", emulator.clientSecret());
            assertEquals(seeded.eventId(999), emulator.eventId(999));
        }
    }

    @Test
    void serviceRuleFlagsReachTheEmulatorTheyBuild() {
        LaunchOptions defaults = LaunchOptions.parse("--port", "0", "--events", "3");
        LaunchOptions options = LaunchOptions.parse("--port", "0", "--events", "3", "--no-daily-export-limit",
                "--start-status", "202", "--live-summary", "--redelivery-outcome", "failure", "--redelivery-delay-ms",
                "500", "--subscription-disabled");

        try (WebhooksEmulator standard = defaults.builder().start(); WebhooksEmulator emulator = options.builder().start()) {
            options.applyTo(emulator.faults());
            defaults.applyTo(standard.faults());

            assertEquals(201, standard.startStatus());
            assertFalse(standard.liveSummary());
            assertFalse(standard.faults().subscriptionDisabled());
            assertEquals(202, emulator.startStatus());
            assertTrue(emulator.liveSummary());
            assertTrue(emulator.faults().subscriptionDisabled());
            RawHttp http = new RawHttp(emulator);
            assertEquals(202, http.post("/exports").statusCode());
        }
        assertTrue(defaults.dailyExportLimit);
        assertFalse(options.dailyExportLimit);
        assertEquals(WebhooksEmulator.RedeliveryOutcome.FAILURE, options.redeliveryOutcome);
        assertEquals(500, options.redeliveryDelayMillis);
        assertEquals(List.of("--subscription-disabled"), options.faultFlags);
        assertEquals("--start-status needs a whole number from 200 to 202, got \"204\"",
                refused("--start-status", "204").getMessage());
        assertEquals("--redelivery-outcome needs success or failure, got \"maybe\"",
                refused("--redelivery-outcome", "maybe").getMessage());
        assertEquals("--redelivery-delay-ms needs a whole number of at least 0, got \"-1\"",
                refused("--redelivery-delay-ms", "-1").getMessage());
    }

    @Test
    void faultFlagsSetTheSwitchesOfARunningEmulator() {
        LaunchOptions options = LaunchOptions.parse("--port", "0", "--events", "10", "--redirect-downloads",
                "--gzip-downloads", "--malformed-lines", "3,1", "--token-outage", "1", "--rate-limit-next", "1:7",
                "--fail-next", "2:503", "--create-then-reset-next", "1", "--create-then-fail-next", "1:504",
                "--reset-download-after", "2k:1");

        try (WebhooksEmulator emulator = options.builder().start()) {
            Faults faults = emulator.faults();
            options.applyTo(faults);

            assertTrue(faults.redirecting());
            assertTrue(faults.gzipping());
            assertArrayEquals(new long[] {1, 3}, faults.malformed());
            assertEquals(List.of(0L, -1L), List.of(faults.tokenOutage.take(), faults.tokenOutage.take()));
            assertEquals(List.of(7L, -1L), List.of(faults.rateLimit.take(), faults.rateLimit.take()));
            assertEquals(List.of(503L, 503L, -1L), List.of(faults.failure.take(), faults.failure.take(),
                    faults.failure.take()));
            assertEquals(List.of(0L, -1L), List.of(faults.createThenReset.take(), faults.createThenReset.take()));
            assertEquals(List.of(504L, -1L), List.of(faults.createThenFail.take(), faults.createThenFail.take()));
            assertEquals(List.of(2_000L, -1L), List.of(faults.reset.take(), faults.reset.take()));
        }
        assertEquals(List.of("--redirect-downloads", "--gzip-downloads", "--malformed-lines 3,1", "--token-outage 1",
                "--rate-limit-next 1:7", "--fail-next 2:503", "--create-then-reset-next 1",
                "--create-then-fail-next 1:504", "--reset-download-after 2k:1"), options.faultFlags);
    }

    @Test
    void withoutFaultFlagsEverySwitchStaysOff() {
        LaunchOptions options = LaunchOptions.parse("--port", "0", "--events", "10");

        try (WebhooksEmulator emulator = options.builder().start()) {
            Faults faults = emulator.faults();
            options.applyTo(faults);

            assertFalse(faults.redirecting());
            assertFalse(faults.gzipping());
            assertEquals(-1, faults.tokenOutage.take());
            assertEquals(-1, faults.failure.take());
            assertEquals(-1, faults.rateLimit.take());
        }
    }
}
