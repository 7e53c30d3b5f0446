package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.Ndjson.concat;
import static dev.webhooksv3.bulkexport.Ndjson.id;
import static dev.webhooksv3.bulkexport.Ndjson.ids;
import static dev.webhooksv3.bulkexport.Ndjson.lineNumbers;
import static dev.webhooksv3.bulkexport.Ndjson.offsets;
import static dev.webhooksv3.bulkexport.Ndjson.readAll;
import static dev.webhooksv3.bulkexport.Ndjson.reportedLines;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import dev.webhooksv3.bulkexport.Ndjson.CloseRecordingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventStreamTest {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int KIB = 1024;
    private static final int MIB = 1024 * KIB;

    @TempDir
    Path dir;

    // ---------------------------------------------------------------- framing

    @Test
    void readsLinesEndedByLineFeed() {
        Ndjson file = new Ndjson().line(event("a")).line(event("b")).line(event("c"));

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(List.of("a", "b", "c"), ids(events));
        assertEquals(List.of(1L, 2L, 3L), lineNumbers(events));
        assertEquals(List.of(file.offset(1), file.offset(2), file.offset(3)), offsets(events));
    }

    @Test
    void readsLinesEndedByCarriageReturnLineFeedWithoutTheCarriageReturn() {
        Ndjson file = new Ndjson().line(event("a"), "\r\n").line(event("b"), "\r\n").line(event("c"), "\n");

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(List.of("a", "b", "c"), ids(events));
        assertEquals(event("a"), events.get(0).rawJson());
        assertEquals(List.of(file.offset(1), file.offset(2), file.offset(3)), offsets(events));
    }

    @Test
    void skipsBlankLinesButCountsThemInLineNumbers() {
        Ndjson file = new Ndjson()
                .line("")
                .line(event("a"))
                .line("   ")
                .line("\t")
                .line("\r")
                .line(" \t \r", "\r\n")
                .line(event("b"))
                .line("");

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(List.of("a", "b"), ids(events));
        assertEquals(List.of(2L, 7L), lineNumbers(events));
        assertEquals(List.of(file.offset(2), file.offset(7)), offsets(events));
    }

    @Test
    void skipsByteOrderMarkAtStartOfFileAndCountsItsBytesInOffsets() {
        Ndjson file = new Ndjson().prefix(BOM).line(event("a")).line(event("b"));

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(List.of("a", "b"), ids(events));
        assertEquals(1L, events.get(0).lineNumber());
        assertEquals(3L, events.get(0).byteOffset());
        assertEquals(3L + event("a").length() + 1, events.get(1).byteOffset());
    }

    @Test
    void byteOrderMarkOnLaterLineIsMalformed() {
        List<MalformedEventException> reports = new ArrayList<>();
        Ndjson file = new Ndjson().line(event("a")).line(concat(BOM, event("b").getBytes(UTF_8)), "\n")
                .line(event("c"));

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertEquals(List.of("a", "c"), ids(events));
        assertEquals(List.of(2L), reportedLines(reports));
        assertEquals(file.offset(2), reports.get(0).byteOffset());
    }

    @Test
    void readsLastLineWithoutLineBreak() {
        Ndjson file = new Ndjson().line(event("a")).line(event("b"), "");

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(List.of("a", "b"), ids(events));
        assertEquals(2L, events.get(1).lineNumber());
        assertEquals(event("b"), events.get(1).rawJson());
    }

    @Test
    void emptyInputHasNoEvents() {
        try (EventStream stream = EventStream.of(new ByteArrayInputStream(new byte[0]))) {
            assertFalse(stream.iterator().hasNext());
            assertEquals(0, stream.malformedLines());
        }
    }

    @Test
    void inputOfOnlyBlankLinesHasNoEvents() {
        Ndjson file = new Ndjson().line("").line("  ").line("\r").line("\t", "");

        assertEquals(List.of(), readAll(EventStream.of(file.stream())));
    }

    @Test
    void lineLongerThanMaxLineBytesIsMalformedAndSaysLongerThan() {
        Ndjson file = new Ndjson().line(event("a")).line(paddedEvent("long", 300)).line(event("c"));
        EventStreamOptions options = EventStreamOptions.defaults().withMaxLineBytes(100);

        try (EventStream stream = EventStream.of(file.stream(), options)) {
            Iterator<FailedEvent> it = stream.iterator();
            assertEquals("a", id(it.next()));
            MalformedEventException error = assertThrows(MalformedEventException.class, it::next);

            assertTrue(error.getMessage().contains("longer than"), error.getMessage());
            assertEquals(2L, error.lineNumber());
            assertEquals(file.offset(2), error.byteOffset());
        }
    }

    @Test
    void lineOfExactlyMaxLineBytesIsAccepted() {
        String line = paddedEvent("exact", 100);
        Ndjson file = new Ndjson().line(line, "\r\n").line(paddedEvent("over", 101)).line(line, "");
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(100);

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), options));

        assertEquals(List.of("exact", "exact"), ids(events));
        assertEquals(List.of(2L), reportedLines(reports));
    }

    @Test
    void lineLongerThanMaxButWithinTheBufferIsReportedAndTheNextLineKeepsItsNumber() {
        Ndjson file = new Ndjson().line(event("a")).line(paddedEvent("long", 10 * KIB)).line("")
                .line(event("d"));
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(KIB);

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), options));

        assertEquals(List.of("a", "d"), ids(events));
        assertEquals(List.of(1L, 4L), lineNumbers(events));
        assertEquals(file.offset(4), events.get(1).byteOffset());
        assertEquals(List.of(2L), reportedLines(reports));
        assertEquals(file.offset(2), reports.get(0).byteOffset());
        assertTrue(reports.get(0).getMessage().contains("longer than"), reports.get(0).getMessage());
    }

    @Test
    void lineLongerThanMaxAndTheBufferIsReportedAndTheNextLineKeepsItsNumberAndOffset() {
        Ndjson file = new Ndjson().line(event("a")).line(paddedEvent("huge", 5 * MIB)).line(event("c"))
                .line(event("d"));
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(100 * KIB);

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), options));

        assertEquals(List.of("a", "c", "d"), ids(events));
        assertEquals(List.of(1L, 3L, 4L), lineNumbers(events));
        assertEquals(List.of(file.offset(1), file.offset(3), file.offset(4)), offsets(events));
        assertEquals(List.of(2L), reportedLines(reports));
        assertEquals(file.offset(2), reports.get(0).byteOffset());
        assertTrue(reports.get(0).getMessage().contains("longer than"), reports.get(0).getMessage());
    }

    @Test
    void excerptOfALineTooLongEndsWithTheEllipsisWhateverItsCharacters() {
        String euros = "{\"id\":\"" + "€".repeat(400) + "\"}";
        Ndjson file = new Ndjson().line(event("a")).line(euros).line(event("c"));
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(1000);

        readAll(EventStream.of(file.stream(), options));

        assertEquals(euros.substring(0, 120) + "…", reports.get(0).excerpt());
    }

    @Test
    void fiftyMebibyteLineWithOneMebibyteLimitIsSkippedWithoutBufferingIt() {
        byte[] before = (event("a") + "\n{\"id\":\"huge\",\"pad\":\"").getBytes(UTF_8);
        byte[] after = ("\"}\n" + event("c") + "\n").getBytes(UTF_8);
        long filler = 50L * MIB;
        List<MalformedEventException> reports = new ArrayList<>();
        EventStreamOptions options = EventStreamOptions.skipAndReport(reports::add).withMaxLineBytes(MIB);

        List<FailedEvent> events = assertTimeoutPreemptively(Duration.ofSeconds(30),
                () -> readAll(EventStream.of(Ndjson.generated(before, filler, after), options)));

        assertEquals(List.of("a", "c"), ids(events));
        assertEquals(3L, events.get(1).lineNumber());
        assertEquals(before.length + filler + 3, events.get(1).byteOffset());
        assertEquals(List.of(2L), reportedLines(reports));
        assertEquals(event("a").length() + 1L, reports.get(0).byteOffset());
    }

    @Test
    void linesOfRandomSizesCrossingTheBufferBoundaryParse() {
        Random random = new Random(42);
        Ndjson file = new Ndjson();
        List<String> expected = new ArrayList<>();
        for (int i = 0; file.size() < 600 * KIB; i++) {
            String id = "e" + i;
            int length = random.nextInt(8) == 0 ? 60 * KIB + random.nextInt(10 * KIB) : 20 + random.nextInt(3000);
            file.line(paddedEvent(id, length), random.nextBoolean() ? "\n" : "\r\n");
            expected.add(id);
        }

        List<FailedEvent> events = readAll(EventStream.of(file.stream()));

        assertEquals(expected, ids(events));
        for (FailedEvent event : events) {
            assertEquals(file.offset((int) event.lineNumber()), event.byteOffset(), event.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64 * KIB - 1, 64 * KIB, 64 * KIB + 1, 100 * KIB, 128 * KIB - 1, 128 * KIB, 128 * KIB + 1,
            300 * KIB, 999 * KIB})
    void linesLongerThanTheBufferButUnderTheMaxParse(int length) {
        Ndjson file = new Ndjson().line(event("a")).line(paddedEvent("long1", length))
                .line(paddedEvent("long2", length + 7), "\r\n").line(event("d"), "");

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.defaults()
                .withMaxLineBytes(MIB)));

        assertEquals(List.of("a", "long1", "long2", "d"), ids(events));
        assertEquals(List.of(file.offset(1), file.offset(2), file.offset(3), file.offset(4)), offsets(events));
        assertEquals(length, events.get(1).rawJson().length());
    }

    // ---------------------------------------------------------------- malformed content

    static Stream<byte[]> invalidUtf8() {
        return Stream.of(
                new byte[] {(byte) 0xFF},
                new byte[] {(byte) 0xC0, (byte) 0xAF},
                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                new byte[] {(byte) 0xE2, (byte) 0x82});
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.MethodSource("invalidUtf8")
    void invalidUtf8InsideAStringIsMalformedWithTheLineNumber(byte[] bad) {
        byte[] line = concat("{\"id\":\"b\",\"name\":\"x".getBytes(UTF_8), bad, "y\"}".getBytes(UTF_8));
        Ndjson file = new Ndjson().line(event("a")).line(line, "\n").line(event("c"));
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertEquals(List.of("a", "c"), ids(events));
        assertEquals(List.of(2L), reportedLines(reports));
        assertTrue(reports.get(0).getMessage().contains("UTF-8"), reports.get(0).getMessage());
    }

    @Test
    void truncatedMultiByteSequenceAtTheEndOfALineIsMalformed() {
        byte[] euro = "€".getBytes(UTF_8);
        byte[] line = concat("{\"id\":\"b\",\"name\":\"x".getBytes(UTF_8), new byte[] {euro[0], euro[1]});
        Ndjson file = new Ndjson().line(event("a")).line(line, "\n").line(event("c"));
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertEquals(List.of("a", "c"), ids(events));
        assertEquals(List.of(2L), reportedLines(reports));
        assertTrue(reports.get(0).getMessage().contains("UTF-8"), reports.get(0).getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"[1]", "\"x\"", "1", "null", "true", "[{\"id\":\"b\"}]"})
    void validJsonThatIsNotAnObjectIsMalformed(String line) {
        assertOnlyLineTwoIsMalformed(line.getBytes(UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"id\":\"b\"} x", "{}{}", "{\"id\":\"b\"},", "{\"id\":\"b\"}]", "{\"id\":\"b\"} 1"})
    void objectFollowedByGarbageIsMalformed(String line) {
        assertOnlyLineTwoIsMalformed(line.getBytes(UTF_8));
    }

    @ParameterizedTest
    @ValueSource(strings = {"UTF-16BE", "UTF-16LE", "UTF-32BE", "UTF-32LE"})
    void objectEncodedInAnotherUnicodeEncodingIsMalformed(String charset) {
        assertOnlyLineTwoIsMalformed("{\"id\":\"b\"}".getBytes(java.nio.charset.Charset.forName(charset)));
    }

    private static void assertOnlyLineTwoIsMalformed(byte[] line) {
        Ndjson file = new Ndjson().line(event("a")).line(line, "\n").line(event("c"));
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertEquals(List.of("a", "c"), ids(events), "events around the bad line");
        assertEquals(List.of(2L), reportedLines(reports), "reported lines");
        assertEquals(file.offset(2), reports.get(0).byteOffset());
    }

    @Test
    void nulByteInsideOrOutsideAStringIsMalformedWherever() {
        Ndjson file = new Ndjson().line("{\"id\":\"a\"}").line("{\"id\":\"b\u0000\"}").line("{\"id\":\"c\"}\u0000")
                .line("{\"id\":\"d\"}");
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertEquals(List.of("a", "d"), ids(events));
        assertEquals(List.of(2L, 3L), reportedLines(reports));
    }

    @Test
    void failPolicyThrowsWithLineNumberOffsetAndExcerptAndClosesTheSource() {
        String bad = "{\"id\":\"c\",}";
        Ndjson file = new Ndjson().line("{\"id\":\"a\",\"name\":\"Grüße ✓\"}", "\r\n").line("").line(event("b"))
                .line(bad).line(event("d"));
        CloseRecordingInputStream source = new CloseRecordingInputStream(file.bytes());

        try (EventStream stream = EventStream.of(source)) {
            Iterator<FailedEvent> it = stream.iterator();
            assertEquals("a", id(it.next()));
            assertEquals("b", id(it.next()));
            MalformedEventException error = assertThrows(MalformedEventException.class, it::next);

            long expectedOffset = "{\"id\":\"a\",\"name\":\"Grüße ✓\"}\r\n\n".getBytes(UTF_8).length
                    + event("b").length() + 1;
            assertEquals(4L, error.lineNumber());
            assertEquals(expectedOffset, error.byteOffset());
            assertEquals(file.offset(4), error.byteOffset());
            assertEquals(bad, error.excerpt());
            assertTrue(source.closed, "source closed after the failure");
            assertFalse(it.hasNext(), "no events after the failure");
            assertEquals(1, stream.malformedLines());
        }
    }

    @Test
    void failIsTheDefaultPolicy() {
        assertEquals(EventStreamOptions.MalformedLinePolicy.FAIL, EventStreamOptions.defaults().policy());
        Ndjson file = new Ndjson().line("nope");

        try (EventStream stream = EventStream.of(file.stream())) {
            assertThrows(MalformedEventException.class, () -> stream.iterator().hasNext());
        }
    }

    @Test
    void skipAndReportHandsEachBadLineInOrderAndProducesEveryGoodLine() {
        Ndjson file = new Ndjson()
                .line(event("a"))
                .line("{")
                .line(event("b"), "\r\n")
                .line("")
                .line("[\"x\"]")
                .line("{\"id\":\"bad\" \"x\":1}")
                .line(event("c"))
                .line("tru", "");
        List<MalformedEventException> reports = new ArrayList<>();

        EventStream stream = EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add));
        List<FailedEvent> events = readAll(stream);

        assertEquals(List.of("a", "b", "c"), ids(events));
        assertEquals(List.of(1L, 3L, 7L), lineNumbers(events));
        assertEquals(List.of(2L, 5L, 6L, 8L), reportedLines(reports));
        assertEquals(List.of(file.offset(2), file.offset(5), file.offset(6), file.offset(8)),
                reports.stream().map(MalformedEventException::byteOffset).toList());
        assertEquals(List.of("{", "[\"x\"]", "{\"id\":\"bad\" \"x\":1}", "tru"),
                reports.stream().map(MalformedEventException::excerpt).toList());
        assertEquals(4, stream.malformedLines());
    }

    // ---------------------------------------------------------------- JSON conformance

    @Test
    void everyRejectedConformanceCaseIsReportedWithItsLineNumberAndDisturbsNoNeighbour() throws IOException {
        Map<String, byte[]> cases = conformanceCases("n_");
        Ndjson file = new Ndjson();
        Map<Long, String> caseByLine = new LinkedHashMap<>();
        List<String> expectedIds = new ArrayList<>();
        int i = 0;
        for (Map.Entry<String, byte[]> entry : cases.entrySet()) {
            file.line(event("v" + i), "\n");
            expectedIds.add("v" + i++);
            file.line(entry.getValue(), "\n");
            caseByLine.put((long) file.lineCount(), entry.getKey());
        }
        file.line(event("v" + i), "\n");
        expectedIds.add("v" + i);
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertTrue(cases.size() > 100, "only " + cases.size() + " n_ cases usable");
        List<String> accepted = new ArrayList<>();
        for (FailedEvent event : events) {
            if (caseByLine.containsKey(event.lineNumber())) {
                accepted.add(caseByLine.get(event.lineNumber()));
            }
        }
        assertEquals(List.of(), accepted, "n_ cases accepted as events");
        assertEquals(expectedIds, ids(events));
        assertEquals(new ArrayList<>(caseByLine.keySet()), reportedLines(reports));
        for (MalformedEventException report : reports) {
            assertEquals(file.offset((int) report.lineNumber()), report.byteOffset(),
                    caseByLine.get(report.lineNumber()));
        }
    }

    @Test
    void everyAcceptedConformanceObjectOnOneLineParsesAsAnEvent() throws IOException {
        Map<String, byte[]> cases = new LinkedHashMap<>();
        conformanceCases("y_").forEach((name, bytes) -> {
            if (new String(bytes, UTF_8).strip().startsWith("{")) {
                cases.put(name, bytes);
            }
        });
        Ndjson file = new Ndjson();
        int i = 0;
        for (byte[] json : cases.values()) {
            file.line(event("v" + i++));
            file.line(json, "\n");
        }
        file.line(event("v" + i));
        List<MalformedEventException> reports = new ArrayList<>();

        List<FailedEvent> events = readAll(EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add)));

        assertTrue(cases.size() >= 10, "only " + cases.size() + " y_ object cases usable");
        assertEquals(List.of(), reports.stream().map(Throwable::getMessage).toList(), "y_ objects reported");
        assertEquals(file.lineCount(), events.size());
        for (int n = 0; n <= i; n++) {
            assertEquals("v" + n, id(events.get(2 * n)));
        }
    }

    /** The one-line, non-blank cases whose names start with {@code prefix}, by name. */
    private static Map<String, byte[]> conformanceCases(String prefix) throws IOException {
        Path corpus = conformanceDirectory();
        Map<String, byte[]> cases = new LinkedHashMap<>();
        try (Stream<Path> files = Files.list(corpus)) {
            for (Path file : files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".json")).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(file);
                if (!contains(bytes, (byte) '\n') && !isBlank(bytes)) {
                    cases.put(file.getFileName().toString(), bytes);
                }
            }
        }
        return cases;
    }

    /** The vendored corpus (a copy of {@code shared/testdata/json-conformance}), relative to the module. */
    private static Path conformanceDirectory() {
        Path corpus = Path.of("src", "test", "resources", "json-conformance");
        if (!Files.isDirectory(corpus)) {
            fail("JSON conformance corpus not found at " + corpus.toAbsolutePath());
        }
        return corpus;
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != '\r' && b != ' ' && b != '\t') {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] bytes, byte wanted) {
        for (byte b : bytes) {
            if (b == wanted) {
                return true;
            }
        }
        return false;
    }

    // ---------------------------------------------------------------- position

    @Test
    void positionBeforeIterationIsStart() {
        try (EventStream stream = EventStream.of(new Ndjson().line(event("a")).stream())) {
            assertEquals(StreamPosition.START, stream.position());
        }
    }

    @Test
    void positionAfterEachEventIsItsLineAndTheOffsetJustAfterItsLineBreak() {
        Ndjson file = new Ndjson().line(event("a"), "\r\n").line("").line("bad").line(event("b")).line("  ")
                .line(event("c"), "");
        List<MalformedEventException> reports = new ArrayList<>();

        try (EventStream stream = EventStream.of(file.stream(), EventStreamOptions.skipAndReport(reports::add))) {
            Iterator<FailedEvent> it = stream.iterator();
            it.next();
            assertEquals(new StreamPosition(1, file.offset(2)), stream.position());
            assertTrue(it.hasNext());
            assertEquals(new StreamPosition(1, file.offset(2)), stream.position(), "hasNext does not move it");
            it.next();
            assertEquals(new StreamPosition(4, file.offset(5)), stream.position());
            it.next();
            assertEquals(new StreamPosition(6, file.size()), stream.position());
            assertFalse(it.hasNext());
            assertEquals(new StreamPosition(6, file.size()), stream.position());
        }
    }

    @Test
    void reopeningAtAPositionContinuesWithTheNextEventAndItsLineNumber() throws IOException {
        Ndjson ndjson = new Ndjson().prefix(BOM).line(event("a")).line("").line(event("b"), "\r\n").line("")
                .line(event("c")).line(event("d"), "");
        Path file = ndjson.write(dir.resolve("export.ndjson"));
        StreamPosition position;
        try (EventStream stream = EventStream.open(file)) {
            Iterator<FailedEvent> it = stream.iterator();
            it.next();
            it.next();
            position = stream.position();
        }
        assertEquals(new StreamPosition(3, ndjson.offset(4)), position);

        List<FailedEvent> rest = readAll(EventStream.open(file, position, EventStreamOptions.defaults()));

        assertEquals(List.of("c", "d"), ids(rest));
        assertEquals(List.of(5L, 6L), lineNumbers(rest));
        assertEquals(List.of(ndjson.offset(5), ndjson.offset(6)), offsets(rest));
    }

    @Test
    void reopeningAtTheEndOfTheFileYieldsNoEvents() throws IOException {
        Ndjson ndjson = new Ndjson().line(event("a")).line(event("b"));
        Path file = ndjson.write(dir.resolve("export.ndjson"));

        List<FailedEvent> rest = readAll(EventStream.open(file, new StreamPosition(2, ndjson.size()),
                EventStreamOptions.defaults()));

        assertEquals(List.of(), rest);
    }

    @Test
    void positionPastTheEndOfTheFileIsRefused() throws IOException {
        Ndjson ndjson = new Ndjson().line(event("a")).line(event("b"));
        Path file = ndjson.write(dir.resolve("export.ndjson"));

        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> EventStream.open(file, new StreamPosition(2, ndjson.size() + 1), EventStreamOptions.defaults()));
        assertTrue(error.getMessage().contains(String.valueOf(ndjson.size() + 1)), error.getMessage());
    }

    // ---------------------------------------------------------------- lifecycle

    @Test
    void iteratorASecondTimeThrows() {
        try (EventStream stream = EventStream.of(new Ndjson().line(event("a")).stream())) {
            stream.iterator();
            assertThrows(IllegalStateException.class, stream::iterator);
        }
    }

    @Test
    void closingTheJavaStreamClosesTheSource() {
        CloseRecordingInputStream source = new CloseRecordingInputStream(manyEvents(10));
        EventStream events = EventStream.of(source);

        try (Stream<FailedEvent> stream = events.stream()) {
            assertEquals(List.of("e0", "e1", "e2"), stream.limit(3).map(Ndjson::id).toList());
            assertFalse(source.closed, "still open before the stream is closed");
        }

        assertTrue(source.closed);
    }

    @Test
    void closingTwiceIsHarmlessAndClosesTheSourceOnce() {
        CloseRecordingInputStream source = new CloseRecordingInputStream(manyEvents(3));
        EventStream stream = EventStream.of(source);

        stream.close();
        stream.close();

        assertEquals(1, source.closeCount);
    }

    @Test
    void closingEarlyClosesTheSourceAtOnce() {
        CloseRecordingInputStream source = new CloseRecordingInputStream(manyEvents(1000));
        EventStream stream = EventStream.of(source);
        Iterator<FailedEvent> it = stream.iterator();
        it.next();
        it.next();
        assertFalse(source.closed);

        stream.close();

        assertTrue(source.closed);
        assertFalse(it.hasNext(), "no events after close");
    }

    @Test
    void closingAfterHasNextReadAnEventAheadEndsIterationThere() {
        EventStream stream = EventStream.of(new CloseRecordingInputStream(manyEvents(3)));
        Iterator<FailedEvent> it = stream.iterator();
        assertTrue(it.hasNext());

        stream.close();

        assertFalse(it.hasNext(), "the event read ahead is not handed out after close");
        assertThrows(java.util.NoSuchElementException.class, it::next);
        assertEquals(StreamPosition.START, stream.position());
    }

    @Test
    void closingFromTheMalformedLineHandlerEndsIterationThere() {
        Ndjson file = new Ndjson().line(event("a")).line("bad").line(event("c"));
        EventStream[] stream = new EventStream[1];
        stream[0] = EventStream.of(file.stream(), EventStreamOptions.skipAndReport(bad -> stream[0].close()));

        assertEquals(List.of("a"), ids(readAll(stream[0])));
    }

    @Test
    void hasNextAfterExhaustionIsFalseAndTheSourceWasClosed() {
        CloseRecordingInputStream source = new CloseRecordingInputStream(manyEvents(3));
        EventStream stream = EventStream.of(source);
        Iterator<FailedEvent> it = stream.iterator();
        int count = 0;
        while (it.hasNext()) {
            it.next();
            count++;
        }

        assertEquals(3, count);
        assertTrue(source.closed, "closed on exhaustion without close()");
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
    }

    @Test
    void openingAMissingFileThrowsUncheckedIOExceptionNamingTheFile() {
        Path missing = dir.resolve("no-such-export.ndjson");

        UncheckedIOException error = assertThrows(UncheckedIOException.class, () -> EventStream.open(missing));

        assertTrue(error.getMessage().contains(missing.toString()), error.getMessage());
    }

    // ---------------------------------------------------------------- helpers

    private static String event(String id) {
        return "{\"id\":\"" + id + "\",\"state\":\"failure\",\"attempts\":6}";
    }

    /** An event line of exactly {@code length} bytes (at least 20). */
    private static String paddedEvent(String id, int length) {
        String head = "{\"id\":\"" + id + "\",\"pad\":\"";
        String tail = "\"}";
        int pad = length - head.length() - tail.length();
        if (pad < 0) {
            throw new IllegalArgumentException("too short: " + length);
        }
        return head + "x".repeat(pad) + tail;
    }

    private static byte[] manyEvents(int count) {
        Ndjson file = new Ndjson();
        for (int i = 0; i < count; i++) {
            file.line(event("e" + i));
        }
        return file.bytes();
    }
}
