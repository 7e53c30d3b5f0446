package dev.webhooksv3.bulkexport;

/**
 * A line of an export file that is not one JSON object in valid UTF-8, or is longer than the
 * stream allows; or an event whose token claims cannot be decoded ({@link FailedEvent#claims()}).
 *
 * <p>Thrown by an {@link EventStream} under {@link EventStreamOptions.MalformedLinePolicy#FAIL},
 * or handed to the report callback under
 * {@link EventStreamOptions.MalformedLinePolicy#SKIP_AND_REPORT}.
 */
public final class MalformedEventException extends BulkExportException {

    private static final long serialVersionUID = 1L;

    /** The number of the bad line, from 1. */
    private final long lineNumber;
    /** The offset of the bad line's first byte. */
    private final long byteOffset;
    /** The start of the bad line. */
    private final String excerpt;

    /** Only the event reader reports malformed lines, so only this package creates the exception. */
    MalformedEventException(String problem, long lineNumber, long byteOffset, String excerpt, Throwable cause) {
        super("malformed event at line " + lineNumber + " (byte offset " + byteOffset + "): " + problem
                + "; line starts: " + excerpt, cause);
        this.lineNumber = lineNumber;
        this.byteOffset = byteOffset;
        this.excerpt = excerpt;
    }

    /**
     * Returns the number of the bad line, counting from 1.
     *
     * @return the line number
     */
    public long lineNumber() {
        return lineNumber;
    }

    /**
     * Returns the offset of the bad line's first byte from the start of the file.
     *
     * @return the byte offset
     */
    public long byteOffset() {
        return byteOffset;
    }

    /**
     * Returns the start of the bad line on one line: at most 120 characters, control characters
     * escaped, ending in {@code …} when the line is longer.
     *
     * @return the excerpt
     */
    public String excerpt() {
        return excerpt;
    }
}
