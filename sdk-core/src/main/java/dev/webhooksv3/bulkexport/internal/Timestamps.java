package dev.webhooksv3.bulkexport.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * The service's ISO-8601 timestamps as instants. {@code OffsetDateTime.parse} builds a field map,
 * resolves it and allocates a handful of objects per call, which made an event stream that also
 * reads {@code createdAt} run at 0.7× its speed; the forms the service sends
 * ({@code YYYY-MM-DDTHH:MM:SS}, 0–9 fraction digits, {@code Z} or {@code ±HH:MM} or nothing for
 * UTC) are read here directly, with every range checked as the JDK's strict resolver checks it.
 * Anything else (a six-digit year, seconds left out, a {@code :60} leap second, an offset with
 * seconds, …) goes to the JDK, so that no text parses differently or stops parsing.
 *
 * <p>Lower-case {@code t} and {@code z} are read like upper-case, as RFC 3339 (section 5.6,
 * note) allows and as the JDK's ISO formatters, which parse case-insensitively, already did.
 */
public final class Timestamps {

    private static final int NO_OFFSET = Integer.MIN_VALUE;
    private static final int[] NANOS_PER_DIGITS = {1_000_000_000, 100_000_000, 10_000_000, 1_000_000, 100_000,
            10_000, 1_000, 100, 10, 1};

    private Timestamps() {
    }

    /**
     * Parses a timestamp with an offset, {@code Z}, or neither (read as UTC).
     *
     * @return the instant, or null when the text is not such a timestamp
     */
    public static Instant parse(String text) {
        Instant fast = fast(text);
        return fast != null ? fast : jdk(text);
    }

    /** The JDK's reading, as it was before the direct one: offset or {@code Z}, else a local time in UTC. */
    static Instant jdk(String text) {
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (DateTimeException withoutOffset) {
            try {
                return LocalDateTime.parse(text, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
            } catch (DateTimeException e) {
                return null;
            }
        }
    }

    /** The direct reading of the service's forms; null when the text is not one of them (or not valid). */
    static Instant fast(String s) {
        int length = s.length();
        if (length < 19 || s.charAt(4) != '-' || s.charAt(7) != '-' || (s.charAt(10) | 0x20) != 't'
                || s.charAt(13) != ':' || s.charAt(16) != ':') {
            return null;
        }
        int year = digits(s, 0, 4);
        int month = digits(s, 5, 2);
        int day = digits(s, 8, 2);
        int hour = digits(s, 11, 2);
        int minute = digits(s, 14, 2);
        int second = digits(s, 17, 2);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > lengthOfMonth(year, month)
                || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int i = 19;
        int nanos = 0;
        if (i < length && s.charAt(i) == '.') {
            int start = ++i;
            while (i < length && i - start < 10 && isDigit(s.charAt(i))) {
                nanos = nanos * 10 + (s.charAt(i) - '0');
                i++;
            }
            int count = i - start;
            if (count == 0 || count > 9) {
                return null;
            }
            nanos *= NANOS_PER_DIGITS[count];
        }
        int offsetSeconds = offset(s, i);
        if (offsetSeconds == NO_OFFSET) {
            return null;
        }
        long epochSecond = epochDay(year, month, day) * 86_400L + hour * 3_600 + minute * 60 + second - offsetSeconds;
        return Instant.ofEpochSecond(epochSecond, nanos);
    }

    /** The offset in seconds from {@code s[i]} to the end: none, {@code Z}, or {@code ±HH:MM} up to 18 hours. */
    private static int offset(String s, int i) {
        int rest = s.length() - i;
        if (rest == 0) {
            return 0;
        }
        char sign = s.charAt(i);
        if (rest == 1) {
            return (sign | 0x20) == 'z' ? 0 : NO_OFFSET;
        }
        if (rest != 6 || (sign != '+' && sign != '-') || s.charAt(i + 3) != ':') {
            return NO_OFFSET;
        }
        int hours = digits(s, i + 1, 2);
        int minutes = digits(s, i + 4, 2);
        if (hours < 0 || minutes < 0 || minutes > 59 || hours * 60 + minutes > 18 * 60) {
            return NO_OFFSET;
        }
        int seconds = hours * 3_600 + minutes * 60;
        return sign == '-' ? -seconds : seconds;
    }

    /** The value of {@code count} ASCII digits at {@code from}; -1 if any is not one. */
    private static int digits(String s, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            char c = s.charAt(i);
            if (!isDigit(c)) {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static int lengthOfMonth(int year, int month) {
        return switch (month) {
            case 2 -> (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28;
            case 4, 6, 9, 11 -> 30;
            default -> 31;
        };
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), year 0 to 9999. */
    private static long epochDay(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        int era = Math.floorDiv(y, 400);
        int yearOfEra = y - era * 400;
        int dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
        int dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097L + dayOfEra - 719_468;
    }
}
