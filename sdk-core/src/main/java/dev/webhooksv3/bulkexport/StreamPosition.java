package dev.webhooksv3.bulkexport;

/**
 * A place in an export file: after line {@code line}, at byte {@code byteOffset}.
 *
 * <p>{@link EventStream#position()} returns the position after the last event returned, and
 * {@link EventStream#open(java.nio.file.Path, StreamPosition, EventStreamOptions)} continues from
 * one, so a consumer that stores it with its own progress can resume where it stopped.
 *
 * @param line the number of lines (including blank and malformed ones) before the position
 * @param byteOffset the offset of the position from the start of the file, in bytes
 */
public record StreamPosition(long line, long byteOffset) {

    /** The start of a file. */
    public static final StreamPosition START = new StreamPosition(0, 0);

    /**
     * Checks the components.
     *
     * @param line the number of lines (including blank and malformed ones) before the position
     * @param byteOffset the offset of the position from the start of the file, in bytes
     * @throws IllegalArgumentException if a component is negative
     */
    public StreamPosition {
        if (line < 0 || byteOffset < 0) {
            throw new IllegalArgumentException("line and byteOffset must not be negative: line=" + line
                    + ", byteOffset=" + byteOffset);
        }
    }
}
