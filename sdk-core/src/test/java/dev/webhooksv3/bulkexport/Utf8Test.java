package dev.webhooksv3.bulkexport;

import static dev.webhooksv3.bulkexport.Ndjson.concat;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    /** Bytes that make up valid and invalid sequences of every length, each equally likely. */
    private static final int[] ALPHABET = {
        'a', '{', '"', 0x00, 0x7F,
        0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xAF, 0xBF,
        0xC0, 0xC1, 0xC2,
        0xE0, 0xED, 0xEF,
        0xF0, 0xF4, 0xF5, 0xFF,
    };

    @Test
    void acceptsAsciiAndTwoThreeAndFourByteSequencesUpToTheirBoundaries() {
        int[] codePoints = {0x00, 0x41, 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC, 0xD7FF, 0xE000, 0xFEFF, 0xFFFF,
            0x10000, 0x1F600, 0x10FFFF};
        StringBuilder all = new StringBuilder();
        for (int cp : codePoints) {
            byte[] one = new String(Character.toChars(cp)).getBytes(UTF_8);
            assertEquals(-1, Utf8.firstInvalid(one, 0, one.length), Integer.toHexString(cp));
            all.appendCodePoint(cp);
        }
        byte[] bytes = ("plain ascii text, long enough for whole words: " + all + " and more ascii after it")
                .getBytes(UTF_8);

        assertEquals(-1, Utf8.firstInvalid(bytes, 0, bytes.length));
        assertEquals(-1, Utf8.firstInvalid(bytes, 0, 0));
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "BF", "C0AF", "C180", "E080AF", "EDA080", "EDBFBF", "F08F8080", "F4908080",
        "F5808080", "FF", "FE", "C2", "E282", "F09F98", "C241", "E228A1", "F09F4180"})
    void rejectsStrayOverlongSurrogateOutOfRangeAndTruncatedSequencesAtTheirLeadByte(String hex) {
        byte[] bad = HexFormat.of().parseHex(hex);
        byte[] bytes = concat("0123456789abc".getBytes(UTF_8), bad, "xyz".getBytes(UTF_8));

        assertEquals(0, Utf8.firstInvalid(bad, 0, bad.length), "alone");
        assertEquals(13, Utf8.firstInvalid(bytes, 0, bytes.length), "after 13 ASCII bytes");
        assertFalse(isValidForJdk(bad, 0, bad.length), "the JDK agrees it is invalid");
    }

    @Test
    void agreesWithTheJdkStrictDecoderOnRandomArrays() {
        Random random = new Random(20240611);
        int invalid = 0;
        for (int n = 0; n < 10_000; n++) {
            byte[] bytes = new byte[random.nextInt(41)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = (byte) ALPHABET[random.nextInt(ALPHABET.length)];
            }

            int index = Utf8.firstInvalid(bytes, 0, bytes.length);

            int jdkIndex = jdkFirstInvalid(bytes, 0, bytes.length);
            assertEquals(jdkIndex < 0, index < 0, () -> "validity of " + HexFormat.of().formatHex(bytes));
            assertEquals(jdkIndex, index, () -> "first invalid byte of " + HexFormat.of().formatHex(bytes));
            if (index >= 0) {
                invalid++;
            }
        }
        assertTrue(invalid > 1000 && invalid < 9900, "the alphabet gives both verdicts: " + invalid + " invalid");
    }

    @Test
    void checksOnlyTheGivenRangeOfALargerArray() {
        byte[] euro = "€".getBytes(UTF_8);
        byte[] bytes = concat(new byte[] {(byte) 0xFF}, "ab".getBytes(UTF_8), euro, new byte[] {(byte) 0xFF});

        assertEquals(-1, Utf8.firstInvalid(bytes, 1, 5), "valid middle");
        assertEquals(0, Utf8.firstInvalid(bytes, 0, 6), "invalid first byte");
        assertEquals(6, Utf8.firstInvalid(bytes, 1, 6), "invalid last byte, as an index into the array");
        assertEquals(3, Utf8.firstInvalid(bytes, 1, 4), "sequence cut by the end of the range");
        assertEquals(-1, Utf8.firstInvalid(bytes, 4, 0), "empty range");
        assertEquals(4, Utf8.firstInvalid(bytes, 4, 2), "continuation bytes at the start of the range");
    }

    @Test
    void returnsTheIndexOfTheFirstInvalidLeadByteAtEveryPositionAndAlignment() {
        byte[] euro = "€".getBytes(UTF_8);
        for (int offset = 0; offset < 9; offset++) {
            for (int at = 0; at < 40; at++) {
                byte[] bytes = new byte[offset + 48];
                Arrays.fill(bytes, (byte) 'x');
                bytes[offset + at] = euro[0];
                bytes[offset + at + 1] = euro[1];
                // third byte left as 'x': the sequence starting at 'at' is invalid
                if (at >= 3) {
                    System.arraycopy(euro, 0, bytes, offset + at - 3, 3);
                }

                assertEquals(offset + at, Utf8.firstInvalid(bytes, offset, 48),
                        "offset " + offset + ", invalid sequence at " + at);
                assertEquals(-1, Utf8.firstInvalid(bytes, offset, at), "offset " + offset + ", before " + at);
            }
        }
    }

    @Test
    void agreesWithTheJdkOnRandomRangesOfLongerArrays() {
        Random random = new Random(99);
        for (int n = 0; n < 2_000; n++) {
            byte[] bytes = new byte[random.nextInt(200)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = random.nextInt(10) < 8 ? (byte) ('a' + random.nextInt(26))
                        : (byte) ALPHABET[random.nextInt(ALPHABET.length)];
            }
            int offset = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            int length = random.nextInt(bytes.length - offset + 1);

            assertEquals(jdkFirstInvalid(bytes, offset, length), Utf8.firstInvalid(bytes, offset, length),
                    () -> HexFormat.of().formatHex(bytes) + " from " + offset + " for " + length);
        }
    }

    /** The index of the first malformed byte for the JDK's strict decoder, or -1. */
    private static int jdkFirstInvalid(byte[] bytes, int offset, int length) {
        CharsetDecoder decoder = UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        CharBuffer out = CharBuffer.allocate(length * 2 + 2);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            return in.position();
        }
        result = decoder.flush(out);
        assertFalse(result.isError());
        return -1;
    }

    private static boolean isValidForJdk(byte[] bytes, int offset, int length) {
        return jdkFirstInvalid(bytes, offset, length) < 0;
    }
}
