package dev.webhooksv3.bulkexport.internal;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The direct parser against the JDK's: every text either parses directly to the JDK's instant or
 * is declined and left to the JDK, so no text reads differently or stops parsing.
 */
class TimestampsTest {

    private static final long FIRST_DAY = LocalDate.of(0, 1, 1).toEpochDay();
    private static final long LAST_DAY = LocalDate.of(9999, 12, 31).toEpochDay();

    @Test
    void readsEveryDateOfYears0To9999AtEveryFractionLengthAndOffsetLikeTheJdk() {
        SplittableRandom random = new SplittableRandom(20261202);
        for (int n = 0; n < 100_000; n++) {
            LocalDateTime local = LocalDate.ofEpochDay(random.nextLong(FIRST_DAY, LAST_DAY + 1))
                    .atTime(random.nextInt(24), random.nextInt(60), random.nextInt(60));
            int digits = n % 10;
            int fraction = digits == 0 ? 0 : random.nextInt((int) Math.pow(10, digits));
            String text = local.toString().substring(0, 16) + ":" + two(local.getSecond())
                    + (digits == 0 ? "" : "." + String.format("%0" + digits + "d", fraction))
                    + offset(random, n);

            assertDirectAndEqualToJdk(text);
        }
    }

    @Test
    void readsEveryDayOfFourHundredYearsIncludingLeapDaysLikeTheJdk() {
        for (LocalDate day = LocalDate.of(1896, 1, 1); day.getYear() < 2296; day = day.plusDays(1)) {
            assertDirectAndEqualToJdk(day + "T23:59:59.999999999Z");
        }
        assertDirectAndEqualToJdk("0000-02-29T00:00:00Z");
        assertDirectAndEqualToJdk("9999-12-31T23:59:59.999999999-18:00");
        assertDirectAndEqualToJdk("0000-01-01T00:00:00+18:00");
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-01-27T16:53:50", "2020-01-27t16:53:50.8z", "2020-01-27T16:53:50.815Z",
            "2020-01-27T16:53:50.815936Z", "2020-01-27T16:53:50.815936123Z", "2020-01-27T17:53:50.815936+01:00",
            "2020-01-27T15:53:50-01:00", "2020-01-27T16:53:50-00:00", "2020-01-27T16:53:50.000000000+00:00"})
    void readsTheServiceFormsDirectly(String text) {
        assertDirectAndEqualToJdk(text);
        assertEquals(Instant.parse("2020-01-27T16:53:50Z"),
                Timestamps.parse(text).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
    }

    @ParameterizedTest
    @ValueSource(strings = {"2020-02-30T00:00:00Z", "2021-02-29T00:00:00Z", "1900-02-29T00:00:00Z",
            "2020-04-31T00:00:00Z", "2020-13-01T00:00:00Z", "2020-00-01T00:00:00Z", "2020-01-00T00:00:00Z",
            "2020-01-32T00:00:00Z", "2020-01-01T24:00:00Z", "2020-01-01T00:60:00Z", "2020-01-01T00:00:60Z",
            "2020-01-01T23:59:60Z", "2020-01-01T00:00:00.Z", "2020-01-01T00:00:00.1234567890Z",
            "2020-01-01T00:00:00+18:01", "2020-01-01T00:00:00+19:00", "2020-01-01T00:00:00+01:60",
            "2020-01-01T00:00:00+0100", "2020-01-01T00:00:00+01", "2020-01-01 00:00:00Z", "2020/01/01T00:00:00Z",
            "20-01-01T00:00:00Z", "2020-1-01T00:00:00Z", "2020-01-01T0:00:00Z", "2020-01-01T00:00:00ZZ",
            "2020-01-01T00:00:00X", "2020-01-01T00:00:00 ", " 2020-01-01T00:00:00Z", "+2020-01-01T00:00:00Z",
            "-2020-01-01T00:00:00Z", "2020-01-01T00:00:00.12a", "2020-0a-01T00:00:00Z", "", "not a time",
            "2020-01-01", "2020-01-01T00:00Z", "2020-01-01T00:00:00+01:00:30", "+12020-01-01T00:00:00Z",
            "2020-01-01T00:00:00+01:00[Europe/Paris]", "２０２０-01-01T00:00:00Z"})
    void declinesEverythingElseAndTheJdkStillDecides(String text) {
        assertNull(Timestamps.fast(text), () -> text + " should be left to the JDK");
        assertEquals(Timestamps.jdk(text), Timestamps.parse(text), text);
    }

    @Test
    void keepsWhatOnlyTheJdkReadsParsing() {
        assertEquals(Instant.parse("2020-01-01T00:00:00Z"), Timestamps.parse("2020-01-01T00:00Z"));
        assertEquals(Instant.parse("2019-12-31T22:59:30Z"), Timestamps.parse("2020-01-01T00:00:00+01:00:30"));
        assertEquals(LocalDateTime.of(12020, 1, 1, 0, 0).toInstant(ZoneOffset.UTC),
                Timestamps.parse("+12020-01-01T00:00:00Z"));
        assertNull(Timestamps.parse("2020-02-30T00:00:00Z"));
    }

    @Test
    void agreesWithTheJdkOnEveryOneCharacterChangeOfValidTimestamps() {
        SplittableRandom random = new SplittableRandom(7);
        String alphabet = "0123456789-:.+TtZz x";
        List<String> seeds = List.of("2020-02-29T23:59:59.123456789+18:00", "1999-12-31T00:00:00Z",
                "2000-02-28T12:30:45.5-05:30", "2024-06-30T06:07:08");
        List<String> mutants = new ArrayList<>();
        for (String seed : seeds) {
            for (int i = 0; i < seed.length(); i++) {
                for (char c : alphabet.toCharArray()) {
                    mutants.add(seed.substring(0, i) + c + seed.substring(i + 1));
                }
                mutants.add(seed.substring(0, i) + seed.substring(i + 1));
                mutants.add(seed.substring(0, i) + alphabet.charAt(random.nextInt(alphabet.length()))
                        + seed.substring(i));
            }
        }
        for (String text : mutants) {
            Instant fast = Timestamps.fast(text);
            Instant jdk = Timestamps.jdk(text);
            if (fast != null) {
                assertEquals(jdk, fast, text);
            }
            assertEquals(jdk, Timestamps.parse(text), text);
        }
    }

    private static void assertDirectAndEqualToJdk(String text) {
        Instant jdk = Timestamps.jdk(text);
        assertNotNull(jdk, () -> "the JDK reads " + text);
        assertEquals(jdk, Timestamps.fast(text), text);
    }

    private static String offset(SplittableRandom random, int n) {
        return switch (n % 4) {
            case 0 -> "Z";
            case 1 -> "";
            default -> {
                int minutes = random.nextInt(18 * 60 + 1);
                yield (random.nextBoolean() ? "+" : "-") + two(minutes / 60) + ":" + two(minutes % 60);
            }
        };
    }

    private static String two(int value) {
        return value < 10 ? "0" + value : Integer.toString(value);
    }
}
