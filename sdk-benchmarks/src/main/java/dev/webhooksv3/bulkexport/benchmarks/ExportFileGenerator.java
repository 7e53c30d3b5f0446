package dev.webhooksv3.bulkexport.benchmarks;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Writes a realistic NDJSON export file: one event-store record per line (shape (a) of the
 * export file), whose {@code request.payload} is a compact JWS
 * ({@code base64url(header).base64url(claims).base64url(signature)}) carrying the Security Event
 * Token claims (shape (b)) of an {@code entityCreated}, {@code entityUpdated} or
 * {@code entityDeleted} event. Lines average about 1.5 KB.
 *
 * <p>The output depends only on the seed and the size; it is written as it is generated, in
 * constant memory, with {@code \n} line ends. Next to the file, {@code <file>.count} receives the
 * number of events written.
 *
 * <pre>
 * java -cp benchmarks.jar dev.webhooksv3.bulkexport.benchmarks.ExportFileGenerator \
 *     (--events N | --bytes SIZE) --out FILE [--seed S]
 * </pre>
 * SIZE takes a {@code k}, {@code m} or {@code g} suffix (powers of 1024); the file ends with the
 * first event that reaches it.
 */
public final class ExportFileGenerator {

    /** The default seed. */
    public static final long DEFAULT_SEED = 20240603L;

    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final DateTimeFormatter ISO_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final long START_EPOCH_SECOND = Instant.parse("2024-06-03T08:00:00Z").getEpochSecond();
    private static final String ENDPOINT = "https://listener.example.com/hook";
    private static final String ISSUER = "https://webhooks.example.com/v3";
    private static final String[] USER_AGENTS = {
        "Webhooks-v3/3.14.2",
        "Webhooks-v3/3.15.0",
    };
    private static final String[] ATTRIBUTES = {
        "givenName", "familyName", "middleName", "displayName", "email", "emailVerified", "mobileNumber",
        "birthday", "gender", "preferredLanguage", "password", "lastLogin", "lastUpdated", "externalId",
        "primaryAddress.address1", "primaryAddress.address2", "primaryAddress.city", "primaryAddress.zip",
        "primaryAddress.stateAbbreviation", "primaryAddress.country", "primaryAddress.phone",
        "consents.marketing.granted", "consents.marketing.updated", "consents.terms.granted",
        "clients", "profiles", "statuses", "photos", "legalAcceptances", "customFields.loyaltyTier",
    };

    private final SplittableRandom random;
    private final String[] applications;
    private final String[] clients;
    private final String[] keyIds;
    private final byte[] signature = new byte[256];
    private final StringBuilder line = new StringBuilder(4096);
    private final StringBuilder claims = new StringBuilder(2048);
    private long micros;
    private long entityId;

    /**
     * Creates a generator.
     *
     * @param seed the seed; equal seeds give equal files
     */
    public ExportFileGenerator(long seed) {
        this.random = new SplittableRandom(seed);
        this.applications = new String[3];
        for (int i = 0; i < applications.length; i++) {
            applications[i] = alphanumeric(26);
        }
        this.clients = new String[6];
        for (int i = 0; i < clients.length; i++) {
            clients[i] = alphanumeric(32);
        }
        this.keyIds = new String[2];
        for (int i = 0; i < keyIds.length; i++) {
            keyIds[i] = alphanumeric(16);
        }
        this.micros = START_EPOCH_SECOND * 1_000_000L;
        this.entityId = 1_000_000L + random.nextInt(1_000_000);
    }

    /** What a generation wrote. */
    public record Result(Path file, long events, long bytes) {

        /** @return the mean line length, line break included */
        public double bytesPerEvent() {
            return events == 0 ? 0 : (double) bytes / events;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%s: %,d events, %,d bytes (%.1f MB), %.0f bytes/event",
                    file, events, bytes, bytes / 1e6, bytesPerEvent());
        }
    }

    /**
     * Writes a file of exactly {@code events} events.
     *
     * @param out the file, replaced
     * @param events how many events
     * @param seed the seed
     * @return what was written
     * @throws IOException if writing fails
     */
    public static Result writeEvents(Path out, long events, long seed) throws IOException {
        return write(out, events, Long.MAX_VALUE, seed);
    }

    /**
     * Writes events until the file has at least {@code bytes} bytes.
     *
     * @param out the file, replaced
     * @param bytes the least size
     * @param seed the seed
     * @return what was written
     * @throws IOException if writing fails
     */
    public static Result writeBytes(Path out, long bytes, long seed) throws IOException {
        return write(out, Long.MAX_VALUE, bytes, seed);
    }

    private static Result write(Path out, long maxEvents, long minBytes, long seed) throws IOException {
        ExportFileGenerator generator = new ExportFileGenerator(seed);
        long events = 0;
        long bytes = 0;
        try (OutputStream os = new BufferedOutputStream(Files.newOutputStream(out), 1 << 20)) {
            while (events < maxEvents && bytes < minBytes) {
                byte[] record = generator.nextLine();
                os.write(record);
                os.write('\n');
                bytes += record.length + 1;
                events++;
            }
        }
        Files.writeString(countFile(out), events + "\n", StandardCharsets.US_ASCII);
        return new Result(out, events, bytes);
    }

    /**
     * Returns the sidecar that holds the event count of a generated file.
     *
     * @param file the export file
     * @return {@code <file>.count}
     */
    public static Path countFile(Path file) {
        return file.resolveSibling(file.getFileName() + ".count");
    }

    /**
     * Generates the next line, without its line break.
     *
     * @return the line as UTF-8
     */
    public byte[] nextLine() {
        micros += 50_000 + random.nextLong(600_000);
        long created = micros;
        // Six attempts with back-off: the record was last updated minutes to hours later.
        long updated = created + 60_000_000L * (30 + random.nextLong(240)) + random.nextLong(1_000_000);
        String id = uuid();
        String sub = uuid();
        String app = applications[random.nextInt(applications.length)];
        long iat = created / 1_000_000L;
        long toe = iat - random.nextInt(5);
        boolean toeMillis = random.nextInt(5) == 0;

        int kind = random.nextInt(100);
        String type = kind < 25 ? "entityCreated" : kind < 85 ? "entityUpdated" : "entityDeleted";

        StringBuilder c = claims;
        c.setLength(0);
        c.append("{\"iss\":\"").append(ISSUER)
                .append("\",\"iat\":").append(iat)
                .append(",\"jti\":\"").append(id)
                .append("\",\"aud\":\"").append(ENDPOINT)
                .append("\",\"txn\":\"").append(uuid())
                .append("\",\"toe\":").append(toeMillis ? toe * 1000 + random.nextInt(1000) : toe)
                .append(",\"events\":{\"").append(type).append("\":{")
                .append("\"captureApplicationId\":\"").append(app)
                .append("\",\"captureClientId\":\"").append(clients[random.nextInt(clients.length)])
                .append("\",\"entityType\":\"user\"")
                .append(",\"globalSub\":\"capture-v1://capture.example.com/").append(app).append("/user/").append(sub)
                .append("\",\"sub\":\"").append(sub)
                .append("\",\"id\":\"").append(entityId + random.nextInt(5_000_000)).append('"');
        if (type.equals("entityUpdated")) {
            c.append(",\"attributes\":[");
            int count = 1 + random.nextInt(8);
            int first = random.nextInt(ATTRIBUTES.length);
            for (int i = 0; i < count; i++) {
                if (i > 0) {
                    c.append(',');
                }
                c.append('"').append(ATTRIBUTES[(first + i * 7) % ATTRIBUTES.length]).append('"');
            }
            c.append(']');
        }
        c.append("}}}");

        String header = "{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\",\"kid\":\""
                + keyIds[random.nextInt(keyIds.length)] + "\"}";
        random.nextBytes(signature);

        StringBuilder l = line;
        l.setLength(0);
        l.append("{\"id\":\"").append(id)
                .append("\",\"createdAt\":\"").append(ISO_MICROS.format(instant(created)))
                .append("\",\"updatedAt\":\"").append(ISO_MICROS.format(instant(updated)))
                .append("\",\"state\":\"failure\",\"attempts\":6,\"request\":{\"endpoint\":\"").append(ENDPOINT)
                .append("\",\"headers\":{\"Content-Type\":\"application/secevent+jwt\",\"User-Agent\":\"")
                .append(USER_AGENTS[random.nextInt(USER_AGENTS.length)])
                .append("\"},\"payload\":\"")
                .append(b64(header.getBytes(StandardCharsets.UTF_8))).append('.')
                .append(b64(c.toString().getBytes(StandardCharsets.UTF_8))).append('.')
                .append(b64(signature))
                .append("\"}}");
        return l.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Instant instant(long epochMicros) {
        return Instant.ofEpochSecond(Math.floorDiv(epochMicros, 1_000_000L), Math.floorMod(epochMicros, 1_000_000L) * 1000L);
    }

    private static String b64(byte[] bytes) {
        return B64.encodeToString(bytes);
    }

    private String uuid() {
        long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
        long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
        return new UUID(msb, lsb).toString();
    }

    private String alphanumeric(int length) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        char[] chars = new char[length];
        for (int i = 0; i < length; i++) {
            chars[i] = alphabet.charAt(random.nextInt(alphabet.length()));
        }
        return new String(chars);
    }

    /**
     * Parses a size such as {@code 1g}, {@code 500m}, {@code 64k} or {@code 1048576}.
     *
     * @param text the size
     * @return bytes
     */
    public static long parseSize(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long unit = 1;
        char last = t.charAt(t.length() - 1);
        if (last == 'b') {
            t = t.substring(0, t.length() - 1);
            last = t.charAt(t.length() - 1);
        }
        switch (last) {
            case 'k' -> unit = 1L << 10;
            case 'm' -> unit = 1L << 20;
            case 'g' -> unit = 1L << 30;
            default -> unit = 1;
        }
        if (unit != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Math.round(Double.parseDouble(t) * unit);
    }

    /**
     * Command line: {@code (--events N | --bytes SIZE) --out FILE [--seed S]}.
     *
     * @param args the arguments
     * @throws IOException if writing fails
     */
    public static void main(String[] args) throws IOException {
        Long events = null;
        Long bytes = null;
        Path out = null;
        long seed = DEFAULT_SEED;
        for (int i = 0; i < args.length; i++) {
            String value = i + 1 < args.length ? args[i + 1] : null;
            switch (args[i]) {
                case "--events" -> events = Long.parseLong(require(args[i], value));
                case "--bytes" -> bytes = parseSize(require(args[i], value));
                case "--out" -> out = Path.of(require(args[i], value));
                case "--seed" -> seed = Long.parseLong(require(args[i], value));
                default -> usage("unknown argument " + args[i]);
            }
            i++;
        }
        if (out == null || (events == null) == (bytes == null)) {
            usage("give --out and one of --events or --bytes");
        }
        long start = System.nanoTime();
        Result result = events != null ? writeEvents(out, events, seed) : writeBytes(out, bytes, seed);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "wrote %s in %.1f s (count in %s)%n", result, seconds, countFile(out));
    }

    private static String require(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println(problem);
        System.err.println("usage: ExportFileGenerator (--events N | --bytes SIZE[k|m|g]) --out FILE [--seed S]");
        System.exit(2);
    }
}
