package dev.webhooksv3.bulkexport.internal;

import java.util.Objects;
import java.util.regex.Pattern;

/** Validation of identifiers before they become URL path segments. */
public final class Ids {

    /**
     * A UUID, or any id of letters, digits, '-', '_' and '.', starting with a letter or digit:
     * nothing that could be percent-decoded, split or read as "." or "..".
     */
    private static final Pattern SAFE_SEGMENT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private Ids() {
    }

    /**
     * Returns the id when it is safe as one path segment.
     *
     * @param name the parameter name, for the message
     * @param value the id
     * @return the id
     * @throws IllegalArgumentException if it is blank or could change the path
     */
    public static String require(String name, String value) {
        Objects.requireNonNull(value, name);
        if (!SAFE_SEGMENT.matcher(value).matches()) {
            throw new IllegalArgumentException(name + " must be 1 to 128 letters, digits, '-', '_' or '.', "
                    + "starting with a letter or digit (a UUID): \"" + Redaction.excerpt(value, 64) + "\"");
        }
        return value;
    }

    /** Whether the id is safe as one path segment; for ids that come from the server or a file. */
    static boolean isSafe(String value) {
        return value != null && SAFE_SEGMENT.matcher(value).matches();
    }
}
