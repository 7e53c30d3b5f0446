package dev.webhooksv3.bulkexport.testkit;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.SplittableRandom;
import java.util.regex.Pattern;

/**
 * The synthetic events of the store, computed from (seed, index) on demand: nothing per event is
 * held in memory, so ten million events cost what ten do.
 *
 * <p>Indices {@code 0 … count() - 1} are the failed events (what export files hold); after them come
 * a few events in each other state, as a real store holds ({@link #seededState}): {@code success},
 * then {@code awaiting-retry}, then {@code awaiting-executing}, their numbers drawn from the seed.
 * Index order is creation order. Every event is dated in the seven days before the emulator
 * started: the failed ones in the first six days of that week less their day of retries (the
 * service retries for about 25 hours before an event is {@code failure}), so that their bytes
 * depend on the seed and the start <em>day</em> only; the others in the last day, relative to the
 * start instant.
 *
 * <p>Every export line has the same length ({@link #lineLength()} bytes plus {@code \n}), padded
 * with spaces before the closing brace, so that line {@code i} of a file starts at byte
 * {@code i × recordLength()}: the download is generated on the fly for any byte range.
 *
 * <p>Event ids are UUIDs whose last 48 bits are a seeded bijection of the index, so an id maps
 * back to its index in O(1) ({@link #indexOf(String)}) for cursors and redelivery.
 */
final class EventCatalog {

    static final String ENDPOINT = "https://listener.example.com/hook";
    private static final long MASK48 = (1L << 48) - 1;
    private static final long MULTIPLIER = 0x5DEECE66DL * 0x9E37L | 1L;
    private static final long INVERSE = inverse(MULTIPLIER);
    private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    /** Timestamps as the event store writes them, to the microsecond. */
    static final DateTimeFormatter MICROS = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final String JWS_HEADER = b64("{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\"}"
            .getBytes(StandardCharsets.US_ASCII));
    private static final String[] TYPES = {"entityCreated", "entityUpdated", "entityDeleted"};
    private static final String[][] ATTRIBUTES = {
        {"email"}, {"givenName", "familyName"}, {"email", "emailVerified"},
        {"primaryAddress.city", "primaryAddress.zip"}, {"password"}, {"displayName", "birthday", "gender"},
    };
    /** The retry schedule 3 s, 30 s, 5 min, 1 h, 24 h: the last attempt is this long after the first. */
    private static final long RETRY_SPAN_SECONDS = 3 + 30 + 300 + 3600 + 86_400;
    private static final long SPACING_MICROS = 37_000;
    private static final long SECOND = 1_000_000L;
    private static final long HOUR = 3600 * SECOND;
    /** Time of the last attempt of an event still awaiting a retry after 1 to 4 attempts (3 s, 30 s, 5 min). */
    private static final long[] ATTEMPTED_AFTER = {0, 3 * SECOND, 33 * SECOND, 333 * SECOND};

    static final String FAILURE = "failure";
    static final String SUCCESS = "success";
    static final String AWAITING_RETRY = "awaiting-retry";
    static final String AWAITING_EXECUTING = "awaiting-executing";

    private final long seed;
    private final long count;
    private final long k1;
    private final long k2;
    private final long epochMicros;
    private final long spacingMicros;
    private final long startMicros;
    /** The first index of the events awaiting a retry, of those awaiting execution, and the end of the store. */
    private final long retryFrom;
    private final long executingFrom;
    private final long total;
    private final String issuer;
    private final String applicationId;
    private final String captureClientId;
    private final int lineLength;

    /**
     * @param start when the emulator started, by its clock: the store holds the seven days before it
     */
    EventCatalog(long seed, long count, String customerId, Instant start) {
        if (count < 0 || count > MASK48) {
            throw new IllegalArgumentException("failedEvents must be between 0 and " + MASK48 + ": " + count);
        }
        this.seed = seed;
        this.count = count;
        this.k1 = mix(seed ^ 0x243F6A8885A308D3L) & MASK48;
        this.k2 = mix(seed ^ 0x13198A2E03707344L) & MASK48;
        SplittableRandom random = new SplittableRandom(seed);
        // Six days from a seeded instant in the first hour of the week, to 26 hours before the start
        // day: a failed event has been retried for a day. 37 ms apart, closer if the span is too short.
        long day = start.truncatedTo(ChronoUnit.DAYS).getEpochSecond() * SECOND;
        this.epochMicros = day - 6 * 24 * HOUR + random.nextLong(0, 3600) * SECOND;
        this.spacingMicros = Math.max(1, Math.min(SPACING_MICROS, (day - 26 * HOUR - epochMicros) / Math.max(1, count)));
        this.startMicros = start.getEpochSecond() * SECOND;
        this.issuer = "https://v1.api.us.janrain.com/" + customerId + "/webhooks";
        this.applicationId = lowerAlnum(random, 26);
        this.captureClientId = lowerAlnum(random, 32);
        this.retryFrom = Math.min(MASK48, count + 3 + random.nextInt(5));
        this.executingFrom = Math.min(MASK48, retryFrom + 2 + random.nextInt(4));
        this.total = Math.min(MASK48 + 1, executingFrom + 1 + random.nextInt(3));
        int longest = 0;
        for (int type = 0; type < TYPES.length; type++) {
            for (int attributes = 0; attributes < ATTRIBUTES.length; attributes++) {
                longest = Math.max(longest, unpadded(0, type, attributes).length());
            }
        }
        this.lineLength = longest;
    }

    /** The number of failed events (the first indices). */
    long count() {
        return count;
    }

    /** The number of events in every state. */
    long total() {
        return total;
    }

    /** How many events were seeded in {@code state} (one of the four). */
    long seeded(String state) {
        return switch (state) {
            case FAILURE -> count;
            case SUCCESS -> retryFrom - count;
            case AWAITING_RETRY -> executingFrom - retryFrom;
            default -> total - executingFrom;
        };
    }

    /** The first index of the events seeded in a state other than {@code failure}, and the end of them. */
    long[] seededRange(String state) {
        return switch (state) {
            case SUCCESS -> new long[] {count, retryFrom};
            case AWAITING_RETRY -> new long[] {retryFrom, executingFrom};
            case AWAITING_EXECUTING -> new long[] {executingFrom, total};
            default -> new long[] {0, count};
        };
    }

    /** The state an event was seeded in; a redelivery may have moved it since. */
    String seededState(long index) {
        return index < count ? FAILURE : index < retryFrom ? SUCCESS : index < executingFrom ? AWAITING_RETRY
                : AWAITING_EXECUTING;
    }

    /** Delivery attempts so far of an event in its seeded state. */
    int attempts(long index) {
        return switch (seededState(index)) {
            case FAILURE -> 6;
            case SUCCESS -> 1 + (int) Math.floorMod(mix(seed ^ index * 13 + 5), 3L);
            case AWAITING_RETRY -> 1 + (int) Math.floorMod(mix(seed ^ index * 13 + 5), 4L);
            default -> 0;
        };
    }

    /** The bytes of one line, without its line break. */
    int lineLength() {
        return lineLength;
    }

    /** The bytes of one line with its line break. */
    long recordLength() {
        return lineLength + 1L;
    }

    /** The id of any event of the store, failed or not. */
    String eventId(long index) {
        if (index < 0 || index >= total) {
            throw new IndexOutOfBoundsException("event index must be between 0 and " + (total - 1) + ": " + index);
        }
        return idOf(index);
    }

    private String idOf(long index) {
        long hi = mix(seed * 0x9E3779B97F4A7C15L + index);
        hi = hi & ~0xF000L | 0x4000L;
        long node = ((index + k1) & MASK48) * MULTIPLIER & MASK48 ^ k2;
        long lo = 0x8000_0000_0000_0000L | (mix(hi) & 0x3FFFL) << 48 | node;
        return new java.util.UUID(hi, lo).toString();
    }

    /** The index of an event id of this catalog, or -1. */
    long indexOf(String id) {
        if (id == null || !UUID.matcher(id).matches()) {
            return -1;
        }
        long node = Long.parseUnsignedLong(id.substring(24), 16);
        long index = (((node ^ k2) * INVERSE & MASK48) - k1) & MASK48;
        return index < total && idOf(index).equals(id) ? index : -1;
    }

    Instant createdAt(long index) {
        return micros(createdMicros(index));
    }

    private long createdMicros(long index) {
        if (index < count) {
            long jitter = Math.max(1, spacingMicros * 30 / 37);
            return epochMicros + index * spacingMicros + Math.floorMod(mix(seed ^ index * 31 + 7), jitter);
        }
        // The others, in the day before the start: successes from 25 h to 2 h before it, events
        // awaiting a retry from 2 h to 10 min before, events awaiting their first attempt in the last minute.
        long[] range = seededRange(seededState(index));
        long from;
        long span;
        switch (seededState(index)) {
            case SUCCESS -> {
                from = startMicros - 25 * HOUR;
                span = 23 * HOUR;
            }
            case AWAITING_RETRY -> {
                from = startMicros - 2 * HOUR;
                span = 110 * 60 * SECOND;
            }
            default -> {
                from = startMicros - 60 * SECOND;
                span = 50 * SECOND;
            }
        }
        long step = span / (range[1] - range[0]);
        return from + (index - range[0]) * step + Math.floorMod(mix(seed ^ index * 31 + 7), Math.min(step, SECOND));
    }

    String createdAtText(long index) {
        return MICROS.format(createdAt(index));
    }

    /** When the event's seeded state began: its last attempt, or its creation if none was made. */
    Instant updatedAt(long index) {
        long created = createdMicros(index);
        long jitter = Math.floorMod(mix(seed ^ index * 17 + 3), 900_000L);
        return micros(switch (seededState(index)) {
            case FAILURE -> created + RETRY_SPAN_SECONDS * SECOND + jitter;
            case AWAITING_EXECUTING -> created;
            default -> created + ATTEMPTED_AFTER[attempts(index) - 1] + jitter;
        });
    }

    String updatedAtText(long index) {
        return MICROS.format(updatedAt(index));
    }

    private static Instant micros(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /** Line {@code index} of an export file, padded to {@link #lineLength()}, as ASCII bytes. */
    byte[] line(long index) {
        SplittableRandom random = new SplittableRandom(mix(seed ^ mix(index)));
        String text = unpadded(index, random.nextInt(TYPES.length), random.nextInt(ATTRIBUTES.length));
        byte[] out = new byte[lineLength];
        int body = text.length() - 1;
        for (int i = 0; i < body; i++) {
            out[i] = (byte) text.charAt(i);
        }
        Arrays.fill(out, body, lineLength - 1, (byte) ' ');
        out[lineLength - 1] = '}';
        return out;
    }

    /** A line of the same length that is not JSON, standing in for a corrupt record. */
    byte[] malformedLine() {
        byte[] out = new byte[lineLength];
        Arrays.fill(out, (byte) ' ');
        byte[] start = "{\"id\": broken".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(start, 0, out, 0, Math.min(start.length, out.length));
        return out;
    }

    private String unpadded(long index, int type, int attributes) {
        String id = idOf(index);
        long created = createdMicros(index);
        long iat = Math.floorDiv(created, 1_000_000L);
        SplittableRandom random = new SplittableRandom(mix(seed + 0x632BE59BD9B4E019L * (index + 1)));
        String subject = new java.util.UUID(random.nextLong() & ~0xF000L | 0x4000L,
                random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L).toString();
        String txn = new java.util.UUID(random.nextLong() & ~0xF000L | 0x4000L,
                random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL | 0x8000_0000_0000_0000L).toString();
        StringBuilder claims = new StringBuilder(640)
                .append("{\"iss\":\"").append(issuer)
                .append("\",\"iat\":").append(iat)
                .append(",\"jti\":\"").append(id)
                .append("\",\"aud\":\"").append(ENDPOINT)
                .append("\",\"txn\":\"").append(txn)
                .append("\",\"toe\":").append(iat - random.nextInt(0, 5))
                .append(",\"events\":{\"").append(TYPES[type]).append("\":{")
                .append("\"captureApplicationId\":\"").append(applicationId)
                .append("\",\"captureClientId\":\"").append(captureClientId)
                .append("\",\"entityType\":\"user\",\"globalSub\":\"capture-v1://us.janraincapture.com/")
                .append(applicationId).append("/user/").append(subject)
                .append("\",\"sub\":\"").append(subject)
                .append("\",\"id\":\"").append(random.nextInt(1_000_000, 10_000_000)).append('"');
        if (TYPES[type].equals("entityUpdated")) {
            claims.append(",\"attributes\":[");
            String[] names = ATTRIBUTES[attributes];
            for (int i = 0; i < names.length; i++) {
                claims.append(i == 0 ? "\"" : ",\"").append(names[i]).append('"');
            }
            claims.append(']');
        }
        claims.append("}}}");
        byte[] signature = new byte[256];
        random.nextBytes(signature);
        String jws = JWS_HEADER + "." + b64(claims.toString().getBytes(StandardCharsets.US_ASCII)) + "." + b64(signature);
        return "{\"id\":\"" + id + "\",\"createdAt\":\"" + createdAtText(index) + "\",\"updatedAt\":\""
                + updatedAtText(index) + "\",\"state\":\"failure\",\"attempts\":6,\"request\":{\"endpoint\":\""
                + ENDPOINT + "\",\"headers\":{\"Content-Type\":\"application/secevent+jwt\"},\"payload\":\"" + jws
                + "\"}}";
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String lowerAlnum(SplittableRandom random, int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    /** SplitMix64's finalizer. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The inverse of an odd number modulo 2^64 (Newton's iteration). */
    private static long inverse(long odd) {
        long x = odd;
        for (int i = 0; i < 6; i++) {
            x *= 2 - odd * x;
        }
        return x;
    }
}
