package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.Ndjson.chunked;
import static dev.webhooksv3.bulkexport.Ndjson.concat;
import static dev.webhooksv3.bulkexport.Ndjson.generated;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import dev.webhooksv3.bulkexport.Ndjson.CloseRecordingInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LineFramerTest {

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int MIB = 1024 * 1024;

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5})
    void framesInputReadOneByteAtATimeLikeTheReferenceSplitter(long seed) throws IOException {
        byte[] input = randomNdjson(new Random(seed), 400, seed % 2 == 0);

        List<Line> framed = frame(chunked(input, () -> 1), MIB, 0, 0);

        assertEquals(reference(input, MIB, 0, 0), framed);
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13, 14, 15, 16, 17, 18})
    void framesInputReadInRandomSmallChunksLikeTheReferenceSplitter(long seed) throws IOException {
        Random random = new Random(seed);
        byte[] input = randomNdjson(random, 3000, seed % 2 == 0);

        List<Line> framed = frame(chunked(input, () -> 1 + random.nextInt(17)), MIB, 0, 0);

        assertEquals(reference(input, MIB, 0, 0), framed);
    }

    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24})
    void marksLinesOverTheMaximumLikeTheReferenceSplitterWhateverTheChunking(long seed) throws IOException {
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 500; i++) {
            text.append(i % 7 == 0 ? "" : "{" + "y".repeat(random.nextInt(120)) + "}").append('\n');
        }
        byte[] input = text.toString().getBytes(UTF_8);

        List<Line> oneByOne = frame(chunked(input, () -> 1), 64, 0, 0);
        List<Line> chunked = frame(chunked(input, () -> 1 + random.nextInt(200)), 64, 0, 0);

        List<Line> expected = reference(input, 64, 0, 0);
        assertTrue(expected.stream().anyMatch(Line::tooLong) && expected.stream().anyMatch(l -> !l.tooLong()));
        assertEquals(expected, oneByOne);
        assertEquals(expected, chunked);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,1,1,1", "2,1,1", "1,2,1", "3,1", "4"})
    void byteOrderMarkSplitAcrossTheFirstReadsIsSkipped(String chunks) throws IOException {
        byte[] input = concat(BOM, "{\"a\":1}\n{\"b\":2}".getBytes(UTF_8));

        List<Line> framed = frame(chunked(input, sizes(chunks)), MIB, 0, 0);

        assertEquals(List.of(
                new Line(1, 3, 11, "{\"a\":1}", false),
                new Line(2, 11, 18, "{\"b\":2}", false)), framed);
    }

    @ParameterizedTest
    @ValueSource(strings = {"3,1,100", "1,1,1,1,1,1,1,1,1,1", "2,2,2,2,2", "4,4,1", "9"})
    void carriageReturnLineFeedSplitAcrossReadsIsOneLineBreak(String chunks) throws IOException {
        byte[] input = "ab\r\ncd\r\n\r\nef".getBytes(UTF_8);

        List<Line> framed = frame(chunked(input, sizes(chunks)), MIB, 0, 0);

        assertEquals(List.of(
                new Line(1, 0, 4, "ab", false),
                new Line(2, 4, 8, "cd", false),
                new Line(4, 10, 12, "ef", false)), framed);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 64 * 1024})
    void lineOfExactlyTheMaximumEndedByCarriageReturnLineFeedIsNotTooLongWhateverTheChunking(int chunk)
            throws IOException {
        String exact = "{\"pad\":\"" + "x".repeat(100 - 10) + "\"}";
        assertEquals(100, exact.length());
        byte[] input = (exact + "\r\n" + exact + "\r\n").getBytes(UTF_8);

        List<Line> framed = frame(chunked(input, () -> chunk), 100, 0, 0);

        assertEquals(List.of(new Line(1, 0, 102, exact, false), new Line(2, 102, 204, exact, false)), framed);
    }

    @Test
    void lineFarOverTheMaximumIsSkippedWithoutGrowingTheBufferPastTheMaximum() throws IOException {
        byte[] head = "{\"a\":1}\n{\"pad\":\"".getBytes(UTF_8);
        byte[] tail = "\"}\n{\"c\":3}\n".getBytes(UTF_8);
        long filler = 20L * MIB;
        InputStream in = generated(head, filler, tail);

        try (LineFramer framer = new LineFramer(in, MIB, 0, 0)) {
            assertTrue(framer.next());
            assertTrue(framer.next());
            assertTrue(framer.tooLong());
            assertEquals(2, framer.lineNumber());
            assertEquals(8, framer.lineOffset());
            assertTrue(framer.lineLength() <= 1024, "only an excerpt is kept: " + framer.lineLength());
            assertTrue(framer.next());
            assertEquals(3, framer.lineNumber());
            assertEquals(head.length + filler + 3, framer.lineOffset());
            assertEquals("{\"c\":3}", text(framer));
            assertTrue(framer.buffer().length <= MIB + 64 * 1024, "buffer of " + framer.buffer().length + " bytes");
            assertFalse(framer.next());
        }
    }

    @Test
    void lineNumbersAndOffsetsContinueFromTheStartPosition() throws IOException {
        byte[] input = "{\"a\":1}\n\n{\"b\":2}\r\n".getBytes(UTF_8);

        List<Line> framed = frame(chunked(input, () -> 3), MIB, 7, 1000);

        assertEquals(List.of(
                new Line(8, 1000, 1008, "{\"a\":1}", false),
                new Line(10, 1009, 1018, "{\"b\":2}", false)), framed);
        assertEquals(reference(input, MIB, 7, 1000), framed);
    }

    @Test
    void closeClosesTheInput() throws IOException {
        CloseRecordingInputStream in = new CloseRecordingInputStream(new byte[0]);

        new LineFramer(in, MIB, 0, 0).close();

        assertTrue(in.closed);
    }

    // ---------------------------------------------------------------- reference and helpers

    /** A framed line; {@code text} is null for a line over the maximum. */
    record Line(long number, long offset, long endOffset, String text, boolean tooLong) {
        @Override
        public String toString() {
            return "Line[" + number + " @" + offset + ".." + endOffset + (tooLong ? " TOO LONG" : " " + text) + "]";
        }
    }

    private static List<Line> frame(InputStream in, int max, long startLine, long startOffset) throws IOException {
        List<Line> lines = new ArrayList<>();
        try (LineFramer framer = new LineFramer(in, max, startLine, startOffset)) {
            while (framer.next()) {
                lines.add(new Line(framer.lineNumber(), framer.lineOffset(), framer.endOffset(),
                        framer.tooLong() ? null : text(framer), framer.tooLong()));
            }
            assertFalse(framer.next(), "stays at the end");
        }
        return lines;
    }

    private static String text(LineFramer framer) {
        return new String(framer.buffer(), framer.lineStart(), framer.lineLength(), ISO_8859_1);
    }

    /** The framing rules written as plainly as possible, on the whole input at once. */
    private static List<Line> reference(byte[] input, int max, long startLine, long startOffset) {
        List<Line> lines = new ArrayList<>();
        int pos = 0;
        if (startOffset == 0 && input.length >= 3 && Arrays.equals(input, 0, 3, BOM, 0, 3)) {
            pos = 3;
        }
        long number = startLine;
        while (pos < input.length) {
            int newline = pos;
            while (newline < input.length && input[newline] != '\n') {
                newline++;
            }
            int next = newline < input.length ? newline + 1 : input.length;
            int end = newline > pos && input[newline - 1] == '\r' ? newline - 1 : newline;
            number++;
            if (end - pos > max) {
                lines.add(new Line(number, startOffset + pos, startOffset + next, null, true));
            } else if (!blank(input, pos, end)) {
                lines.add(new Line(number, startOffset + pos, startOffset + next,
                        new String(input, pos, end - pos, ISO_8859_1), false));
            }
            pos = next;
        }
        return lines;
    }

    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    private static byte[] randomNdjson(Random random, int lineCount, boolean bom) {
        byte[][] pieces = {"{".getBytes(UTF_8), "}".getBytes(UTF_8), "\"id\":".getBytes(UTF_8), " ".getBytes(UTF_8),
            "\t".getBytes(UTF_8), "\r".getBytes(UTF_8), "ü".getBytes(UTF_8), "😀".getBytes(UTF_8), BOM,
            "abcdefghij".getBytes(UTF_8), {(byte) 0xFF}};
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (bom) {
            out.writeBytes(BOM);
        }
        for (int i = 0; i < lineCount; i++) {
            int length = random.nextInt(5) == 0 ? 0 : random.nextInt(40);
            for (int k = 0; k < length; k++) {
                out.writeBytes(pieces[random.nextInt(pieces.length)]);
            }
            if (i < lineCount - 1 || random.nextBoolean()) {
                out.writeBytes((random.nextBoolean() ? "\r\n" : "\n").getBytes(UTF_8));
            }
        }
        return out.toByteArray();
    }

    private static IntSupplier sizes(String csv) {
        int[] sizes = Arrays.stream(csv.split(",")).mapToInt(Integer::parseInt).toArray();
        int[] next = {0};
        return () -> next[0] < sizes.length ? sizes[next[0]++] : Integer.MAX_VALUE;
    }
}
