package dev.webhooksv3.bulkexport.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class RedactionTest {

    @Test
    void escapesFillingTheExcerptNeverMakeItLongerThanTheMaximumPlusTheEllipsis() {
        String controls = "\u0001".repeat(100);

        String excerpt = Redaction.excerpt(controls, 20);

        assertEquals("\\u0001".repeat(3) + "…", excerpt);
    }

    @Test
    void textCutShortByItsEscapesEndsWithTheEllipsisEvenWhenShorterThanTheMaximum() {
        String excerpt = Redaction.excerpt("\r\n\r\n", 6);

        assertEquals("\\r\\n\\r…", excerpt);
    }

    @Test
    void neverEndsInHalfASurrogatePair() {
        assertEquals("ab…", Redaction.excerpt("ab\uD83D\uDE00c", 3));
        assertEquals("ab\uD83D\uDE00…", Redaction.excerpt("ab\uD83D\uDE00c", 4));
    }

    @Test
    void bytesOfExactlyTheMaximumAreKeptWholeWithoutTheEllipsis() {
        byte[] line = ("  " + "x".repeat(120) + "  ").getBytes(UTF_8);

        assertEquals("x".repeat(120), Redaction.excerpt(line, 2, 120, 120));
        assertEquals("x".repeat(119) + "…", Redaction.excerpt(line, 2, 120, 119));
    }

    @Test
    void bytesAreEscapedLikeTextWithInvalidUtf8Replaced() {
        byte[] line = {'{', (byte) 0xC3, (byte) 0xA9, (byte) 0xFF, '\r', '\t', '}'};

        assertEquals("{é\uFFFD\\r\\u0009}", Redaction.excerpt(line, 0, line.length, 120));
    }
}
