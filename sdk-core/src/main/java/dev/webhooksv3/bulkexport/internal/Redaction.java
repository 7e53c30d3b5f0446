package dev.webhooksv3.bulkexport.internal;

/** Turns untrusted text into short, one-line excerpts safe for messages. */
final class Redaction {

    private Redaction() {
    }

    /** The first {@code max} characters of {@code text} on one line, control characters escaped. */
    static String excerpt(String text, int max) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        for (int i = 0; i < text.length() && out.length() < max; i++) {
            char c = text.charAt(i);
            if (c == '\n') {
                out.append("\\n");
            } else if (c == '\r') {
                out.append("\\r");
            } else if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > max) {
            out.append('…');
        }
        return out.toString();
    }
}
