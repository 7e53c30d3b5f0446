package dev.webhooksv3.bulkexport;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile identifiers and hostile export lines: each must end in a clean, typed error (or a
 * reported malformed line), never in a hang, a crash, an {@link Error} or an untyped exception.
 * Every random input comes from a fixed seed, so a failure reproduces.
 *
 * <p>The ids are tried in two passes, unsafe ones first against a server of their own: a safe id's
 * connection may still be on its way to the counting server when its call has timed out, and would
 * then be blamed on the next, unsafe, id.
 */
class FuzzTest {

    /** The id rule the client documents: what may become one URL path segment. */
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");
    private static final String SAFE_ID = "0f8e2d4c-1b3a-4e5f-9a7b-6c5d4e3f2a1b";
    private static final int ID_COUNT = 5_000;
    private static final long ID_SEED = 0x5EED_1D5L;
    private static final long LINE_SEED = 0x5EED_11E5L;
    private static final long CLAIMS_SEED = 0x5EED_C1A1L;
    private static final int RANDOM_LINES = 2_000;
    private static final int DEEP = 100_000;
    private static final int MIB = 1024 * 1024;
    private static final int MAX_REPORTED_FAILURES = 15;

    @TempDir
    Path dir;

    /** Each call the closing server hangs up on is logged at WARN by design: thousands of lines, shown on failure. */
    @RegisterExtension
    final HeldBackLog log = new HeldBackLog();

    // ------------------------------------------------------------------------------ identifiers

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void unsafeIdsAreRefusedWithIllegalArgumentOrNullPointerBeforeAnyConnection() throws Exception {
        List<String> unsafe = hostileIds().stream().filter(id -> !isSafe(id)).toList();
        assertTrue(unsafe.size() > ID_COUNT * 9 / 10, "the generator should make mostly unsafe ids: " + unsafe.size());
        List<String> failures = new ArrayList<>();
        int calls = 0;
        try (ClosingServer server = new ClosingServer()) {
            BulkExportClient client = client(server.port());
            List<Operation> operations = operations();
            for (String id : unsafe) {
                for (Operation operation : operations) {
                    int acceptsBefore = server.accepts();
                    Throwable thrown = invoke(operation, client, id);
                    calls++;
                    String problem = classify(operation, id, thrown, acceptsBefore, server.accepts());
                    if (problem == null && !(thrown instanceof IllegalArgumentException
                            || thrown instanceof NullPointerException)) {
                        problem = "an unsafe id passed validation (" + describe(thrown) + ")";
                    }
                    record(failures, operation, id, problem);
                }
            }
            assertEquals(0, server.accepts(), "no unsafe id may ever reach the server");
        }
        assertNoFailures(failures, calls, "calls with unsafe ids");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void safeIdsReachTheServerAndFailWithBulkExportExceptionWhenItHangsUp() throws Exception {
        List<String> safe = hostileIds().stream().filter(FuzzTest::isSafe).toList();
        assertTrue(safe.size() >= 20, "the generator should make some safe ids: " + safe.size());
        List<String> failures = new ArrayList<>();
        int calls = 0;
        try (ClosingServer server = new ClosingServer()) {
            BulkExportClient client = client(server.port());
            List<Operation> operations = operations();
            for (String id : safe) {
                for (Operation operation : operations) {
                    int acceptsBefore = server.accepts();
                    Throwable thrown = invoke(operation, client, id);
                    calls++;
                    String problem = classify(operation, id, thrown, acceptsBefore,
                            server.awaitAcceptsAbove(acceptsBefore, Duration.ofSeconds(2)));
                    if (problem == null && !(thrown instanceof BulkExportException)) {
                        problem = "a safe id was refused (" + describe(thrown) + ")";
                    } else if (problem == null && server.accepts() == acceptsBefore) {
                        problem = "the call failed without connecting to the server (" + describe(thrown) + ")";
                    }
                    record(failures, operation, id, problem);
                }
            }
        }
        assertNoFailures(failures, calls, "calls with safe ids");
    }

    /**
     * The rules every call obeys: an {@link IllegalArgumentException} or
     * {@link NullPointerException} only for an unsafe id and before any connection, a
     * {@link BulkExportException} only for a safe id, nothing else ever.
     *
     * @return what is wrong, or null
     */
    private static String classify(Operation operation, String id, Throwable thrown, int acceptsBefore,
                                   int acceptsAfter) {
        if (thrown == null) {
            return "no exception, although the server hangs up on every connection";
        }
        if (thrown instanceof Error) {
            return "an Error escaped: " + stackTrace(thrown);
        }
        if (thrown instanceof IllegalArgumentException || thrown instanceof NullPointerException) {
            if (isSafe(id)) {
                return "a safe id was refused: " + describe(thrown);
            }
            if (acceptsAfter != acceptsBefore) {
                return "refused (" + describe(thrown) + ") only after connecting to the server";
            }
            String message = thrown.getMessage();
            if (message == null || !message.contains(operation.parameter())) {
                return "the message does not name " + operation.parameter() + ": " + describe(thrown);
            }
            if (message.indexOf('\n') >= 0 || message.indexOf('\r') >= 0 || message.length() > 400) {
                return "the message is not one short line (" + message.length() + " chars): " + show(message);
            }
            return null;
        }
        if (thrown instanceof BulkExportException) {
            return isSafe(id) ? null : "an unsafe id got past validation: " + describe(thrown);
        }
        return "an untyped exception: " + stackTrace(thrown);
    }

    private static void record(List<String> failures, Operation operation, String id, String problem) {
        if (problem != null) {
            failures.add(operation.name() + "(" + operation.parameter() + "=" + show(id) + "): " + problem);
        }
    }

    private static Throwable invoke(Operation operation, BulkExportClient client, String id) {
        try {
            operation.call().run(client, id);
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    private BulkExportClient client(int port) {
        return BulkExportClient.builder()
                .baseUri(URI.create("http://127.0.0.1:" + port))
                .customerId("c")
                .tokenProvider(TokenProvider.of("t"))
                .retryPolicy(RetryPolicy.none())
                .requestTimeout(Duration.ofMillis(300))
                .build();
    }

    /** Every operation of the client, once with the id as the subscription and once as the export. */
    private List<Operation> operations() {
        Path target = dir.resolve("export.ndjson");
        AwaitOptions await = AwaitOptions.defaults();
        return List.of(
                new Operation("listExports", "subscriptionId", (c, id) -> c.listExports(id)),
                new Operation("summary", "subscriptionId", (c, id) -> c.summary(id)),
                new Operation("startExport", "subscriptionId", (c, id) -> c.startExport(StartExportRequest.of(id))),
                new Operation("getExport", "subscriptionId", (c, id) -> c.getExport(id, SAFE_ID)),
                new Operation("getExport", "exportId", (c, id) -> c.getExport(SAFE_ID, id)),
                new Operation("cancelExport", "subscriptionId", (c, id) -> c.cancelExport(id, SAFE_ID)),
                new Operation("cancelExport", "exportId", (c, id) -> c.cancelExport(SAFE_ID, id)),
                new Operation("awaitExport", "subscriptionId", (c, id) -> c.awaitExport(id, SAFE_ID, await)),
                new Operation("awaitExport", "exportId", (c, id) -> c.awaitExport(SAFE_ID, id, await)),
                new Operation("openExport", "subscriptionId", (c, id) -> c.openExport(id, SAFE_ID).close()),
                new Operation("openExport", "exportId", (c, id) -> c.openExport(SAFE_ID, id).close()),
                new Operation("streamEvents", "subscriptionId",
                        (c, id) -> Ndjson.readAll(c.streamEvents(id, SAFE_ID))),
                new Operation("streamEvents", "exportId",
                        (c, id) -> Ndjson.readAll(c.streamEvents(SAFE_ID, id))),
                new Operation("downloadExport", "subscriptionId",
                        (c, id) -> c.downloadExport(DownloadRequest.of(id, SAFE_ID, target))),
                new Operation("downloadExport", "exportId",
                        (c, id) -> c.downloadExport(DownloadRequest.of(SAFE_ID, id, target))));
    }

    /** {@value #ID_COUNT} ids: fixed corner cases, then seeded random ones of many kinds. */
    private static List<String> hostileIds() {
        List<String> ids = new ArrayList<>(Arrays.asList(
                "", ".", "..", "...", "%2e", "%2e%2e", "%2E%2E", "..%2f", "%2f", "a/b", "../x", "a\\b", "..\\x",
                "a?b", "?", "a#b", "#", "a b", " a", "a ", " ", "a\n", "a\r\n", "\n", "\t", "a\u0000", "\u0000",
                "\u007f", "a\u0085", "-a", "_a", ".a", "a..b", "a/", "/a", "//", "a;b", "a:b", "a@b", "a%20b",
                "a".repeat(128), "a".repeat(129), "\uD800", "\uDC00a", "a\uD800", "\uD83D\uDE00", "\u0663",
                "\uFF41", "\u0130", "a\u200B", "\uFEFFa", "a\u2028", "a\u202E", "\u212A", null, null,
                "x".repeat(10_000), "a", "0", "Z", "A.b-c_d", SAFE_ID, "a-", "a.", "a.."));
        Random random = new Random(ID_SEED);
        while (ids.size() < ID_COUNT) {
            ids.add(randomId(random));
        }
        return ids;
    }

    /** Pieces of ids; all but the last six are unsafe anywhere in an id. */
    private static final String[] ID_TOKENS = {"%2e", "%2E", "/", "\\", "?", "#", " ", "%00", "%2f", "%5c", "~",
        ";", ":", "@", "&", "=", "+", "\u0000", "\t", "\n", "\u00e9", "\uD800", "\uDFFF", "\u0130", "\uFF0E",
        "..", ".", "a", "1", "-", "_"};
    private static final int UNSAFE_TOKENS = ID_TOKENS.length - 6;
    private static final String SAFE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";

    private static String randomId(Random random) {
        int kind = random.nextInt(100);
        StringBuilder id = new StringBuilder();
        if (kind < 20) { // printable ASCII
            int length = random.nextInt(41);
            for (int i = 0; i < length; i++) {
                id.append((char) (0x20 + random.nextInt(0x5F)));
            }
        } else if (kind < 30) { // control characters among letters
            int length = 1 + random.nextInt(20);
            for (int i = 0; i < length; i++) {
                id.append(random.nextBoolean() ? (char) random.nextInt(0x20)
                        : random.nextInt(4) == 0 ? (char) (0x7F + random.nextInt(0x21)) : (char) ('a' + random.nextInt(26)));
            }
        } else if (kind < 42) { // any UTF-16 unit, lone surrogates included
            int length = 1 + random.nextInt(20);
            for (int i = 0; i < length; i++) {
                id.append((char) random.nextInt(0x10000));
            }
        } else if (kind < 50) { // supplementary code points and lone surrogates among safe characters
            int length = 1 + random.nextInt(10);
            for (int i = 0; i < length; i++) {
                switch (random.nextInt(4)) {
                    case 0 -> id.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    case 1 -> id.append((char) (0xD800 + random.nextInt(0x800)));
                    default -> id.append(SAFE_CHARS.charAt(random.nextInt(SAFE_CHARS.length())));
                }
            }
        } else if (kind < 65) { // path tricks
            int length = 1 + random.nextInt(8);
            for (int i = 0; i < length; i++) {
                id.append(ID_TOKENS[random.nextInt(ID_TOKENS.length)]);
            }
        } else if (kind < 68) { // 10,000 characters
            boolean safeChars = random.nextBoolean();
            id.append('a');
            while (id.length() < 10_000) {
                id.append(safeChars ? SAFE_CHARS.charAt(random.nextInt(SAFE_CHARS.length()))
                        : (char) random.nextInt(0x10000));
            }
        } else if (kind < 71) { // empty
            return "";
        } else if (kind < 85) { // a safe id with one hostile character or token in it
            id.append(safeId(random));
            id.insert(random.nextInt(id.length() + 1), ID_TOKENS[random.nextInt(UNSAFE_TOKENS)]);
        } else if (kind < 99) { // safe characters, but too long or starting with '.', '-' or '_'
            if (random.nextBoolean()) {
                id.append(safeId(random)).append("x".repeat(129));
            } else {
                id.append("._-".charAt(random.nextInt(3))).append(safeId(random));
            }
        } else { // safe
            return safeId(random);
        }
        return id.toString();
    }

    private static String safeId(Random random) {
        int length = 1 + random.nextInt(random.nextBoolean() ? 128 : 12);
        StringBuilder id = new StringBuilder().append(SAFE_CHARS.charAt(random.nextInt(62)));
        while (id.length() < length) {
            id.append(SAFE_CHARS.charAt(random.nextInt(SAFE_CHARS.length())));
        }
        return id.toString();
    }

    private static boolean isSafe(String id) {
        return id != null && SAFE_SEGMENT.matcher(id).matches();
    }

    // ------------------------------------------------------------------------------ NDJSON lines

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void randomByteLinesAreReportedWithTheirLineNumbersBetweenValidEvents() {
        Random random = new Random(LINE_SEED);
        List<byte[]> hostile = new ArrayList<>();
        ExpectedFile file = new ExpectedFile().event();
        for (int i = 0; i < RANDOM_LINES; i++) {
            byte[] line = randomLine(random);
            hostile.add(line);
            file.line("random #" + i, line, expectation(line), null).event();
        }
        byte[] input = file.toBytes();

        Outcome whole = readSkipping(input, EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null);
        Outcome trickled = readSkipping(input, EventStreamOptions.DEFAULT_MAX_LINE_BYTES, new Random(LINE_SEED + 1));

        verify(file, whole, "random lines");
        verify(file, trickled, "random lines, read in short random chunks");
        assertEquals(whole.eventLines(), trickled.eventLines(), "the chunking changed which lines are events");
        assertEquals(whole.reportLines(), trickled.reportLines(), "the chunking changed which lines are malformed");
        assertTrue(whole.reports().size() >= RANDOM_LINES * 9 / 10,
                "most random lines are malformed: " + whole.reports().size());
        whole.events().forEach(FuzzTest::assertClaimsTyped);
        for (int i = 0; i < hostile.size(); i++) {
            long lineNumber = 2L * i + 2;
            assertFailPolicyAgrees("random #" + i, hostile.get(i), whole.kindOf(lineNumber));
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void deeplyNestedLinesAreReportedOrReadWithoutStackOverflow() throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("100000 [", repeat("", "[", DEEP, ""));
        cases.put("100000 {", repeat("", "{", DEEP, ""));
        cases.put("{\"a\": + 100000 [", repeat("{\"a\":", "[", DEEP, ""));
        cases.put("100000 [{\"\":", repeat("", "[{\"\":", DEEP, ""));
        cases.put("request.endpoint: 100000 [", repeat("{\"id\":\"x\",\"request\":{\"endpoint\":", "[", DEEP, ""));
        cases.put("attempts: 100000 [", repeat("{\"id\":\"x\",\"attempts\":", "[", DEEP, ""));
        cases.put("100000 closed arrays", closed("{\"id\":\"x\",\"a\":", "[", "]", DEEP, "}"));
        cases.put("100000 closed objects", closed("{\"id\":\"x\",\"a\":", "{\"a\":", "1", "}", DEEP, "}"));
        cases.put("request.payload: 100000 closed arrays",
                closed("{\"id\":\"x\",\"request\":{\"payload\":", "[", "]", DEEP, "}}"));
        for (String name : List.of("n_structure_100000_opening_arrays.json", "n_structure_open_array_object.json")) {
            byte[] conformance = conformanceLine(name);
            if (conformance != null) {
                cases.put(name, conformance);
            }
        }
        assertTrue(cases.size() >= 11, "the conformance deep-nesting cases are missing: " + cases.keySet());

        checkEachBetweenValidEvents(cases);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void hugeNumbersAreReportedOrReadWithoutError() {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        for (int digits : new int[] {5_000, 100_000}) {
            cases.put(digits + "-digit number", repeat("{\"id\":\"x\",\"n\":1", "2", digits - 1, "}"));
            cases.put(digits + "-digit negative number", repeat("{\"id\":\"x\",\"n\":-9", "8", digits - 1, "}"));
            cases.put(digits + "-digit fraction", repeat("{\"id\":\"x\",\"n\":0.", "3", digits, "}"));
            cases.put(digits + "-digit exponent", repeat("{\"id\":\"x\",\"n\":1e", "9", digits, "}"));
            cases.put(digits + "-digit attempts", repeat("{\"id\":\"x\",\"attempts\":1", "0", digits - 1, "}"));
            cases.put(digits + "-digit unclosed", repeat("{\"id\":\"x\",\"n\":1", "2", digits - 1, ""));
        }
        cases.put("attempts 1e999999999", "{\"id\":\"x\",\"attempts\":1e999999999}".getBytes(UTF_8));
        cases.put("attempts 2147483648", "{\"id\":\"x\",\"attempts\":2147483648}".getBytes(UTF_8));
        // The i_number_* cases of JSONTestSuite (not vendored with the n_/y_ cases), bare and as a member.
        Map<String, String> implementationDefined = Map.of(
                "i_number_huge_exp.json", "[0.4e00669999999999999999999999999999999999999999999999999999999999999999"
                        + "99999999999999999999999999999999999999999999999999999969999999006]",
                "i_number_very_big_negative_int.json", "[-237462374673276894279832749832423479823246327846]",
                "i_number_real_pos_overflow.json", "[123123e100000]");
        implementationDefined.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            String array = entry.getValue();
            cases.put(entry.getKey(), array.getBytes(UTF_8));
            cases.put(entry.getKey() + " as a member",
                    ("{\"id\":\"x\",\"n\":" + array.substring(1, array.length() - 1) + "}").getBytes(UTF_8));
        });

        checkEachBetweenValidEvents(cases);
    }

    /**
     * Reads each line between two valid events, under SKIP_AND_REPORT and under FAIL, and checks
     * the claims of whatever comes out as an event; collects every failure before failing.
     */
    private static void checkEachBetweenValidEvents(Map<String, byte[]> cases) {
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : cases.entrySet()) {
            String name = entry.getKey();
            byte[] line = entry.getValue();
            ExpectedFile file = new ExpectedFile().event().line(name, line, expectation(line), null).event();
            Kind[] underSkip = {expectation(line)};
            collect(failures, name + ", under SKIP_AND_REPORT", () -> {
                Outcome outcome = readSkipping(file.toBytes(), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null);
                verify(file, outcome, name);
                underSkip[0] = outcome.kindOf(2);
                for (FailedEvent event : outcome.events()) {
                    assertClaimsTyped(event);
                    event.attempts();
                }
            });
            collect(failures, name + ", under FAIL", () -> assertFailPolicyAgrees(name, line, underSkip[0]));
        }
        assertNoFailures(failures, cases.size() * 2, "readings");
    }

    /** Runs a check, recording its failure (with where an unexpected exception came from) instead of stopping. */
    private static void collect(List<String> failures, String name, Executable check) {
        try {
            check.execute();
        } catch (Throwable t) {
            Throwable root = t;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String origin = root == t || root.getStackTrace().length == 0 ? ""
                    : " [" + root.getClass().getName() + " at " + root.getStackTrace()[0] + "]";
            failures.add(name + ": " + (t instanceof AssertionError ? t.getMessage() : describe(t)) + origin);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void tenMegabyteStringIsReadOrReportedAndTheNextLineStillComesOut() {
        int size = 10 * 1000 * 1000;
        ExpectedFile file = new ExpectedFile().event()
                .line("10 MB string", repeat("{\"id\":\"", "a", size, "\"}"), Kind.EITHER, null)
                .event();

        Outcome outcome = readSkipping(file.toBytes(), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null);

        verify(file, outcome, "10 MB string");
        for (FailedEvent event : outcome.events()) {
            if (event.lineNumber() == 2) {
                assertEquals(size, event.eventId().orElseThrow().length(), "the id of the 10 MB line");
            }
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void twentyMegabyteLineIsReportedAsLongerThanTheDefaultCap() {
        String longer = "longer than " + EventStreamOptions.DEFAULT_MAX_LINE_BYTES + " bytes";
        ExpectedFile file = new ExpectedFile().event()
                .line("20 MB line", repeat("{\"id\":\"", "a", 20 * MIB, "\"}"), Kind.MALFORMED, longer)
                .event();
        verify(file, readSkipping(file.toBytes(), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null), "20 MB line");

        ExpectedFile last = new ExpectedFile().event()
                .line("20 MB last line without a line break", repeat("", "x", 20 * MIB, ""), Kind.MALFORMED, longer)
                .withoutFinalLineBreak();
        verify(last, readSkipping(last.toBytes(), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null),
                "20 MB last line");
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void lineOverAConfiguredCapIsReportedAsLongerThanIt() {
        String longer = "longer than 1024 bytes";
        ExpectedFile file = new ExpectedFile().event()
                .line("2 KB line", repeat("{\"id\":\"", "a", 2048 - 9, "\"}"), Kind.MALFORMED, longer)
                .event()
                .line("1024 bytes", repeat("{\"id\":\"", "b", 1024 - 9, "\"}"), Kind.EITHER, null)
                .line("1024 bytes and a carriage return", repeat("{\"id\":\"", "c", 1024 - 9, "\"}\r"),
                        Kind.EITHER, null)
                .line("1025 bytes", repeat("{\"id\":\"", "d", 1025 - 9, "\"}"), Kind.MALFORMED, longer)
                .event();

        Outcome outcome = readSkipping(file.toBytes(), 1024, null);

        verify(file, outcome, "1024-byte cap");
        assertEquals(List.of(1L, 3L, 4L, 5L, 7L), outcome.eventLines(), "a line of exactly the cap is an event");
    }

    // ------------------------------------------------------------------------------ claims

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void claimsOfHostileJwsPayloadsThrowMalformedEventNamingTheLine() {
        Map<String, byte[]> mustFail = new LinkedHashMap<>();
        mustFail.put("100000 nested arrays", repeat("", "[", DEEP, ""));
        mustFail.put("100000 closed nested arrays", closed("", "[", "]", DEEP, ""));
        mustFail.put("member of 100000 closed nested arrays", closed("{\"a\":", "[", "]", DEEP, "}"));
        mustFail.put("member of 100000 closed nested objects", closed("{\"a\":", "{\"a\":", "1", "}", DEEP, "}"));
        mustFail.put("array", "[]".getBytes(UTF_8));
        mustFail.put("string", "\"claims\"".getBytes(UTF_8));
        mustFail.put("number", "42".getBytes(UTF_8));
        mustFail.put("empty", new byte[0]);
        mustFail.put("null", "null".getBytes(UTF_8));
        List<String> failures = new ArrayList<>();
        for (Map.Entry<String, byte[]> entry : mustFail.entrySet()) {
            FailedEvent event = eventWithClaims(entry.getValue());
            collect(failures, "claims() of " + entry.getKey(), () -> assertMalformed(entry.getKey(), event,
                    event::claims));
            collect(failures, "eventTypes() of " + entry.getKey(), () -> assertMalformed(entry.getKey(), event,
                    event::eventTypes));
            collect(failures, "occurredAt() of " + entry.getKey(), () -> assertMalformed(entry.getKey(), event,
                    event::occurredAt));
        }
        assertNoFailures(failures, mustFail.size() * 3, "decodings of hostile claims");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void claimsOfHugeNumbersAndRandomBytesDecodeOrThrowMalformedEventNamingTheLine() {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        cases.put("100000-digit number", repeat("{\"toe\":1", "7", DEEP - 1, "}"));
        cases.put("100000-digit iat", repeat("{\"iat\":-1", "7", DEEP - 1, "}"));
        cases.put("100000-digit exponent", repeat("{\"toe\":1e", "7", DEEP, "}"));
        cases.put("100000-digit fraction", repeat("{\"toe\":0.", "7", DEEP, "}"));
        Random random = new Random(CLAIMS_SEED);
        for (int i = 0; i < 500; i++) {
            byte[] bytes = new byte[random.nextInt(301)];
            random.nextBytes(bytes);
            if (i % 2 == 0 && bytes.length > 0) {
                bytes[0] = '{';
            }
            cases.put("random bytes #" + i, bytes);
        }
        List<String> failures = new ArrayList<>();
        int[] decoded = {0};
        for (Map.Entry<String, byte[]> entry : cases.entrySet()) {
            FailedEvent event = eventWithClaims(entry.getValue());
            collect(failures, "claims() of " + entry.getKey(), () -> {
                try {
                    assertNotNull(event.claims(), "claims()");
                } catch (MalformedEventException expected) {
                    assertNamesLine(entry.getKey(), expected, event);
                    return;
                }
                decoded[0]++;
                event.occurredAt();
                event.issuedAt();
                event.eventTypes();
                event.subject();
            });
        }
        assertNoFailures(failures, cases.size(), "decodings of huge or random claims");
        assertTrue(decoded[0] < cases.size(), "random bytes should not all decode as claims");
    }

    /** An event (line 2 of its file) whose JWS payload's middle part is {@code claims}, base64url. */
    private static FailedEvent eventWithClaims(byte[] claims) {
        Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
        String jws = base64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"secevent+jwt\"}".getBytes(UTF_8)) + "."
                + base64.encodeToString(claims) + "." + base64.encodeToString(new byte[64]);
        String line = "{\"id\":\"e\",\"request\":{\"payload\":\"" + jws + "\"}}";
        ExpectedFile file = new ExpectedFile().event().line("claims", line.getBytes(UTF_8), Kind.EITHER, null);
        Outcome outcome = readSkipping(file.toBytes(), EventStreamOptions.DEFAULT_MAX_LINE_BYTES, null);
        assertEquals(List.of(1L, 2L), outcome.eventLines(), "the JWS line is an event");
        FailedEvent event = outcome.events().get(1);
        assertEquals(jws, event.jws().orElseThrow(), "the JWS of the line");
        return event;
    }

    /** The accessor, which decodes the claims, throws {@link MalformedEventException} naming the line. */
    private static void assertMalformed(String name, FailedEvent event, Executable accessor) {
        try {
            accessor.execute();
            fail("no MalformedEventException");
        } catch (MalformedEventException expected) {
            assertNamesLine(name, expected, event);
        } catch (AssertionError e) {
            throw e;
        } catch (Throwable t) {
            fail(describe(t) + " instead of MalformedEventException", t);
        }
    }

    private static void assertNamesLine(String name, MalformedEventException e, FailedEvent event) {
        assertEquals(event.lineNumber(), e.lineNumber(), "line number of the claims failure of " + name);
        assertEquals(event.byteOffset(), e.byteOffset(), "byte offset of the claims failure of " + name);
        assertTrue(e.getMessage().contains("line " + event.lineNumber()), "message names the line: " + e.getMessage());
    }

    /** claims() of an event read from a hostile line either decodes or throws MalformedEventException. */
    private static void assertClaimsTyped(FailedEvent event) {
        try {
            assertNotNull(event.claims(), "claims() of line " + event.lineNumber());
        } catch (MalformedEventException expected) {
            assertEquals(event.lineNumber(), expected.lineNumber(), "line of the claims failure");
        } catch (Throwable t) {
            fail("claims() of line " + event.lineNumber() + " threw " + describe(t), t);
        }
    }

    // ------------------------------------------------------------------------------ reading and checking

    private enum Kind { EVENT, MALFORMED, EITHER, BLANK }

    private record Expectation(long lineNumber, long byteOffset, String name, Kind kind, String eventId,
                               String problem) {
    }

    private record Outcome(List<FailedEvent> events, List<MalformedEventException> reports, long malformedLines) {

        List<Long> eventLines() {
            return events.stream().map(FailedEvent::lineNumber).toList();
        }

        List<Long> reportLines() {
            return reports.stream().map(MalformedEventException::lineNumber).toList();
        }

        Kind kindOf(long lineNumber) {
            if (eventLines().contains(lineNumber)) {
                return Kind.EVENT;
            }
            return reportLines().contains(lineNumber) ? Kind.MALFORMED : Kind.BLANK;
        }
    }

    /** Reads everything under SKIP_AND_REPORT; any throwable escaping the stream fails the test. */
    private static Outcome readSkipping(byte[] input, int maxLineBytes, Random chunking) {
        List<FailedEvent> events = new ArrayList<>();
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(maxLineBytes);
        // Short reads of a few random bytes, now and then a longer one.
        InputStream in = chunking == null ? new ByteArrayInputStream(input)
                : Ndjson.chunked(input, () -> 1 + chunking.nextInt(chunking.nextInt(8) == 0 ? 8192 : 64));
        long malformed = -1;
        try (EventStream stream = EventStream.of(in, options)) {
            for (FailedEvent event : stream) {
                events.add(event);
            }
            malformed = stream.malformedLines();
        } catch (Throwable t) {
            fail("reading under SKIP_AND_REPORT let " + describe(t) + " escape after " + events.size()
                    + " events and " + reports.size() + " reports", t);
        }
        return new Outcome(events, reports, malformed);
    }

    private static void verify(ExpectedFile file, Outcome outcome, String what) {
        Map<Long, FailedEvent> events = new HashMap<>();
        long previous = 0;
        for (FailedEvent event : outcome.events()) {
            assertTrue(event.lineNumber() > previous, what + ": events out of order at line " + event.lineNumber());
            previous = event.lineNumber();
            events.put(event.lineNumber(), event);
        }
        Map<Long, MalformedEventException> reports = new HashMap<>();
        previous = 0;
        for (MalformedEventException report : outcome.reports()) {
            assertTrue(report.lineNumber() > previous, what + ": reports out of order at line " + report.lineNumber());
            previous = report.lineNumber();
            reports.put(report.lineNumber(), report);
        }
        assertEquals(outcome.reports().size(), outcome.malformedLines(), what + ": malformedLines()");
        int accounted = 0;
        for (Expectation line : file.expectations()) {
            FailedEvent event = events.get(line.lineNumber());
            MalformedEventException report = reports.get(line.lineNumber());
            String label = what + ", line " + line.lineNumber() + " (" + line.name() + ")";
            if (event != null && report != null) {
                fail(label + ": both an event and a report");
            }
            switch (line.kind()) {
                case EVENT -> {
                    assertNotNull(event, label + ": the valid event did not come out"
                            + (report == null ? "" : "; reported as " + report.getMessage()));
                    assertEquals(line.eventId(), event.eventId().orElse(null), label + ": event id");
                }
                case MALFORMED -> assertNotNull(report, label + ": the hostile line was not reported"
                        + (event == null ? "" : "; it came out as " + event));
                case EITHER -> assertTrue(event != null || report != null, label + ": neither event nor report");
                case BLANK -> assertTrue(event == null && report == null, label + ": a blank line came out");
                default -> throw new AssertionError(line.kind());
            }
            if (event != null) {
                accounted++;
                assertEquals(line.byteOffset(), event.byteOffset(), label + ": event byte offset");
            }
            if (report != null) {
                accounted++;
                assertReport(label, line, report);
            }
        }
        assertEquals(outcome.events().size() + outcome.reports().size(), accounted,
                what + ": events or reports at line numbers that do not exist: events " + outcome.eventLines()
                        + ", reports " + outcome.reportLines());
    }

    private static void assertReport(String label, Expectation line, MalformedEventException report) {
        assertEquals(line.byteOffset(), report.byteOffset(), label + ": report byte offset");
        String message = report.getMessage();
        assertTrue(message.contains("line " + line.lineNumber()), label + ": the message names the line: " + message);
        if (line.problem() != null) {
            assertTrue(message.contains(line.problem()), label + ": the message says \"" + line.problem() + "\": "
                    + show(message));
        }
        String excerpt = report.excerpt();
        assertNotNull(excerpt, label + ": excerpt");
        assertTrue(excerpt.length() <= 200, label + ": the excerpt is short: " + excerpt.length());
        assertTrue(excerpt.chars().noneMatch(Character::isISOControl), label + ": the excerpt is escaped: "
                + show(excerpt));
    }

    /**
     * Reads {@code ok-1, line, ok-2} under the default FAIL policy: the line must throw
     * {@link MalformedEventException} exactly when SKIP_AND_REPORT reported it (either way when
     * that is unknown, {@link Kind#EITHER}), and nothing else may escape.
     */
    private static void assertFailPolicyAgrees(String name, byte[] line, Kind underSkip) {
        byte[] input = new ExpectedFile().event().line(name, line, underSkip, null).event().toBytes();
        List<String> ids = new ArrayList<>();
        Throwable thrown = null;
        try (EventStream stream = EventStream.of(new ByteArrayInputStream(input))) {
            for (FailedEvent event : stream) {
                ids.add(event.eventId().orElse(null));
            }
        } catch (Throwable t) {
            thrown = t;
        }
        String label = name + " under FAIL";
        if (underSkip == Kind.MALFORMED || underSkip == Kind.EITHER && thrown != null) {
            if (!(thrown instanceof MalformedEventException malformed)) {
                fail(label + ": expected MalformedEventException, got "
                        + (thrown == null ? "events " + ids.size() : describe(thrown)), thrown);
                return;
            }
            assertEquals(2, malformed.lineNumber(), label + ": line number");
            assertEquals(List.of("ok-1"), ids, label + ": events before the failure");
        } else {
            if (thrown != null) {
                fail(label + ": " + describe(thrown) + " although SKIP_AND_REPORT read the line as " + underSkip,
                        thrown);
            }
            assertEquals(underSkip == Kind.BLANK ? 2 : 3, ids.size(), label + ": events");
        }
    }

    /**
     * What a line must produce: blank lines nothing; lines that certainly are no JSON object in
     * valid UTF-8 a report; anything else an event or a report.
     */
    private static Kind expectation(byte[] line) {
        int end = line.length;
        if (end > 0 && line[end - 1] == '\r') {
            end--;
        }
        int first = 0;
        while (first < end && isBlankByte(line[first])) {
            first++;
        }
        if (first == end) {
            return Kind.BLANK;
        }
        int last = end - 1;
        while (isBlankByte(line[last])) {
            last--;
        }
        if (line[first] != '{' || line[last] != '}') {
            return Kind.MALFORMED;
        }
        for (int i = first; i <= last; i++) {
            int b = line[i] & 0xFF;
            if (b < 0x20 && b != '\t' && b != '\r' || b == 0xC0 || b == 0xC1 || b >= 0xF5
                    || b == 0xED && i + 1 <= last && (line[i + 1] & 0xFF) >= 0xA0) {
                return Kind.MALFORMED;
            }
        }
        return Kind.EITHER;
    }

    private static boolean isBlankByte(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    private static final byte[][] LINE_TOKENS = tokens("{", "}", "[", "]", "\"", ":", ",", "\\", "\\u", "\\uD800",
            "\"id\"", "\"request\"", "\"payload\"", "\"endpoint\"", "\"attempts\"", "\"jti\"", "1", "-", "e", ".",
            "0", "true", "null", " ", "\t", "\r", "\u00e9", "\uD83D\uDE00", "\u0000", "\u007f");
    private static final byte[][] HOSTILE_BYTES = {{0x00}, {(byte) 0xFF}, {(byte) 0xC0}, {(byte) 0xC0, (byte) 0x80},
        {(byte) 0xED, (byte) 0xA0, (byte) 0x80}, {(byte) 0xED, (byte) 0xBF, (byte) 0xBF}, {'\r'},
        {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80},
        {(byte) 0xE2, (byte) 0x82}, {(byte) 0x80}};

    private static byte[][] tokens(String... texts) {
        return Arrays.stream(texts).map(text -> text.getBytes(UTF_8)).toArray(byte[][]::new);
    }

    /** A line of 0 to 300 bytes without '\n': random bytes, JSON-ish tokens, or a mutated event. */
    private static byte[] randomLine(Random random) {
        int length = random.nextInt(301);
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        switch (random.nextInt(4)) {
            case 0 -> {
                while (line.size() < length) {
                    int b = random.nextInt(256);
                    line.write(b == '\n' ? 0x00 : b);
                }
            }
            case 1, 2 -> {
                if (random.nextBoolean()) {
                    line.writeBytes("{\"id\":".getBytes(UTF_8));
                }
                while (line.size() < length) {
                    byte[][] pool = random.nextInt(5) == 0 ? HOSTILE_BYTES : LINE_TOKENS;
                    line.writeBytes(pool[random.nextInt(pool.length)]);
                }
            }
            default -> {
                byte[] event = ("{\"id\":\"r-" + random.nextInt(1000) + "\",\"attempts\":3,\"request\":"
                        + "{\"endpoint\":\"https://h/\",\"payload\":\"a.b.c\"}}").getBytes(UTF_8);
                int mutations = 1 + random.nextInt(3);
                for (int i = 0; i < mutations; i++) {
                    byte[] hostile = HOSTILE_BYTES[random.nextInt(HOSTILE_BYTES.length)];
                    int at = random.nextInt(event.length);
                    byte[] mutated = new byte[event.length + hostile.length - (random.nextBoolean() ? 1 : 0)];
                    System.arraycopy(event, 0, mutated, 0, at);
                    System.arraycopy(hostile, 0, mutated, at, hostile.length);
                    System.arraycopy(event, event.length - (mutated.length - at - hostile.length), mutated,
                            at + hostile.length, mutated.length - at - hostile.length);
                    event = mutated;
                }
                return event;
            }
        }
        byte[] bytes = line.toByteArray();
        return bytes.length > 300 ? Arrays.copyOf(bytes, 300) : bytes;
    }

    /** A one-line conformance case from the vendored corpus (its final line break dropped), or null. */
    private static byte[] conformanceLine(String name) throws IOException {
        Path file = Path.of("src", "test", "resources", "json-conformance", name);
        if (!Files.isRegularFile(file)) {
            return null;
        }
        byte[] bytes = Files.readAllBytes(file);
        int length = bytes.length > 0 && bytes[bytes.length - 1] == '\n' ? bytes.length - 1 : bytes.length;
        for (int i = 0; i < length; i++) {
            if (bytes[i] == '\n') {
                return null;
            }
        }
        return Arrays.copyOf(bytes, length);
    }

    private static byte[] repeat(String prefix, String unit, int count, String suffix) {
        byte[] head = prefix.getBytes(UTF_8);
        byte[] body = unit.getBytes(UTF_8);
        byte[] tail = suffix.getBytes(UTF_8);
        byte[] out = new byte[head.length + body.length * count + tail.length];
        System.arraycopy(head, 0, out, 0, head.length);
        if (body.length == 1) {
            Arrays.fill(out, head.length, head.length + count, body[0]);
        } else {
            for (int i = 0; i < count; i++) {
                System.arraycopy(body, 0, out, head.length + i * body.length, body.length);
            }
        }
        System.arraycopy(tail, 0, out, out.length - tail.length, tail.length);
        return out;
    }

    /** {@code prefix + open×count + close×count + suffix}. */
    private static byte[] closed(String prefix, String open, String close, int count, String suffix) {
        return closed(prefix, open, "", close, count, suffix);
    }

    /** {@code prefix + open×count + middle + close×count + suffix}. */
    private static byte[] closed(String prefix, String open, String middle, String close, int count, String suffix) {
        byte[] opened = repeat(prefix, open, count, middle);
        byte[] closing = repeat("", close, count, suffix);
        byte[] out = Arrays.copyOf(opened, opened.length + closing.length);
        System.arraycopy(closing, 0, out, opened.length, closing.length);
        return out;
    }

    /** An NDJSON file under construction, with what each line must produce. */
    private static final class ExpectedFile {
        private final List<byte[]> lines = new ArrayList<>();
        private final List<Expectation> expectations = new ArrayList<>();
        private long offset;
        private int valid;
        private boolean finalLineBreak = true;

        ExpectedFile event() {
            String id = "ok-" + ++valid;
            return add(id, ("{\"id\":\"" + id + "\"}").getBytes(UTF_8), Kind.EVENT, id, null);
        }

        ExpectedFile line(String name, byte[] line, Kind kind, String problem) {
            return add(name, line, kind, null, problem);
        }

        private ExpectedFile add(String name, byte[] line, Kind kind, String eventId, String problem) {
            expectations.add(new Expectation(lines.size() + 1, offset, name, kind, eventId, problem));
            lines.add(line);
            offset += line.length + 1;
            return this;
        }

        ExpectedFile withoutFinalLineBreak() {
            finalLineBreak = false;
            return this;
        }

        List<Expectation> expectations() {
            return expectations;
        }

        byte[] toBytes() {
            long size = offset - (finalLineBreak ? 0 : 1);
            byte[] out = new byte[Math.toIntExact(size)];
            int at = 0;
            for (int i = 0; i < lines.size(); i++) {
                byte[] line = lines.get(i);
                System.arraycopy(line, 0, out, at, line.length);
                at += line.length;
                if (at < out.length) {
                    out[at++] = '\n';
                }
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------ plumbing

    @FunctionalInterface
    private interface Call {
        void run(BulkExportClient client, String id) throws Exception;
    }

    private record Operation(String name, String parameter, Call call) {
    }

    /** A loopback server that accepts each connection, counts it and closes it at once. */
    private static final class ClosingServer implements AutoCloseable {
        private final ServerSocket socket;
        private final AtomicInteger accepts = new AtomicInteger();
        private final Thread thread;

        ClosingServer() throws IOException {
            socket = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
            thread = new Thread(this::run, "fuzz-closing-server");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (!socket.isClosed()) {
                try {
                    Socket connection = socket.accept();
                    synchronized (accepts) {
                        accepts.incrementAndGet();
                        accepts.notifyAll();
                    }
                    connection.close();
                } catch (IOException e) {
                    if (socket.isClosed()) {
                        return;
                    }
                }
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        int accepts() {
            return accepts.get();
        }

        /** The count once it exceeds {@code before}, or as it is when {@code patience} runs out. */
        int awaitAcceptsAbove(int before, Duration patience) throws InterruptedException {
            long deadline = System.nanoTime() + patience.toNanos();
            synchronized (accepts) {
                for (long left = patience.toNanos(); accepts.get() <= before && left > 0;
                        left = deadline - System.nanoTime()) {
                    TimeUnit.NANOSECONDS.timedWait(accepts, left);
                }
            }
            return accepts.get();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            try {
                thread.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void assertNoFailures(List<String> failures, int calls, String what) {
        assertTrue(calls > 0, "no " + what);
        if (!failures.isEmpty()) {
            fail(failures.size() + " of " + calls + " " + what + " misbehaved; the first ones:\n  "
                    + String.join("\n  ", failures.subList(0, Math.min(MAX_REPORTED_FAILURES, failures.size()))));
        }
    }

    private static String describe(Throwable t) {
        return t == null ? "nothing" : t.getClass().getName() + ": " + show(String.valueOf(t.getMessage()));
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        String text = out.toString();
        return text.length() > 2_000 ? text.substring(0, 2_000) + "…" : text;
    }

    /** A string on one short line: control characters and surrogates escaped, at most 80 characters. */
    private static String show(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length() && out.length() < 80; i++) {
            char c = text.charAt(i);
            out.append(c < 0x20 || c >= 0x7F ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        out.append(text.length() > 80 ? "…\" (" + text.length() + " chars)" : "\"");
        return out.toString();
    }
}
