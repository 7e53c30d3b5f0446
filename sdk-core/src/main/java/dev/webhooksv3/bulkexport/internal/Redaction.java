package dev.webhooksv3.bulkexport.internal;

import java.nio.charset.StandardCharsets;

/**
 * Turns untrusted text into short, one-line excerpts safe for messages: the one excerpt function
 * of the SDK, for error bodies here and for NDJSON lines in the API package (public for that
 * reason only; this package is not exported).
 */
public final class Redaction {

    /** UTF-8 needs at most four bytes for one character, so this many bytes hold the excerpt. */
    private static final int BYTES_PER_CHAR = 4;

    private Redaction() {
    }

    /**
     * The start of {@code text} on one line: at most {@code max} characters, line breaks shown as
     * {@code \n} and {@code \r}, other control characters as {@code \}{@code uXXXX} (escapes count
     * toward {@code max}), never half a surrogate pair, and {@code …} appended when anything was
     * left out.
     *
     * @param text the untrusted text
     * @param max the most characters to keep
     * @return the excerpt
     */
    public static String excerpt(String text, int max) {
        return excerpt(text, max, false);
    }

    /**
     * The excerpt of {@link #excerpt(String, int)} for UTF-8 bytes, invalid sequences replaced.
     * Only the first bytes are decoded, so a line of many megabytes costs no more than a short one.
     *
     * @param bytes the buffer
     * @param offset the first byte of the text
     * @param length the length of the text in bytes
     * @param max the most characters to keep
     * @return the excerpt
     */
    public static String excerpt(byte[] bytes, int offset, int length, int max) {
        int decoded = (int) Math.min(length, (long) max * BYTES_PER_CHAR);
        return excerpt(new String(bytes, offset, decoded, StandardCharsets.UTF_8), max, decoded < length);
    }

    private static String excerpt(String text, int max, boolean cut) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 1);
        int i = 0;
        while (i < text.length()) {
            int c = text.codePointAt(i);
            String escaped = c == '\n' ? "\\n"
                    : c == '\r' ? "\\r"
                    : Character.isISOControl(c) ? String.format("\\u%04x", c)
                    : null;
            int width = escaped != null ? escaped.length() : Character.charCount(c);
            if (out.length() + width > max) {
                break;
            }
            if (escaped != null) {
                out.append(escaped);
            } else {
                out.appendCodePoint(c);
            }
            i += Character.charCount(c);
        }
        if (i < text.length() || cut) {
            out.append('…');
        }
        return out.toString();
    }
}
