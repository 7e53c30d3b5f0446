package dev.webhooksv3.bulkexport;

import java.util.Objects;
import java.util.function.Consumer;

/**
 * How an {@link EventStream} treats its input.
 *
 * @param policy what to do with a malformed line
 * @param maxLineBytes the longest line accepted, in bytes; a longer one is malformed
 * @param malformedLineHandler receives each malformed line under
 *     {@link MalformedLinePolicy#SKIP_AND_REPORT}; ignored under {@link MalformedLinePolicy#FAIL}
 */
public record EventStreamOptions(MalformedLinePolicy policy, int maxLineBytes,
                                 Consumer<MalformedEventException> malformedLineHandler) {

    /** The default longest line: 16 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

    /** What an {@link EventStream} does with a line it cannot read. */
    public enum MalformedLinePolicy {
        /** Throw a {@link MalformedEventException}; the stream ends there (the default). */
        FAIL,
        /** Hand a {@link MalformedEventException} to the handler and go on with the next line. */
        SKIP_AND_REPORT
    }

    /**
     * Checks the components.
     *
     * @param policy what to do with a malformed line
     * @param maxLineBytes the longest line accepted, in bytes; a longer one is malformed
     * @param malformedLineHandler receives each malformed line under {@link MalformedLinePolicy#SKIP_AND_REPORT}; ignored under {@link MalformedLinePolicy#FAIL}
     * @throws IllegalArgumentException if {@code maxLineBytes} is not positive
     */
    public EventStreamOptions {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(malformedLineHandler, "malformedLineHandler");
        if (maxLineBytes < 1) {
            throw new IllegalArgumentException("maxLineBytes must be positive: " + maxLineBytes);
        }
    }

    /**
     * Returns the defaults: fail on the first malformed line, lines up to 16 MiB.
     *
     * @return the default options
     */
    public static EventStreamOptions defaults() {
        return new EventStreamOptions(MalformedLinePolicy.FAIL, DEFAULT_MAX_LINE_BYTES, bad -> { });
    }

    /**
     * Returns options that skip malformed lines, handing each to {@code handler}, and read on.
     *
     * @param handler receives each malformed line, in order
     * @return the options
     */
    public static EventStreamOptions skipAndReport(Consumer<MalformedEventException> handler) {
        return new EventStreamOptions(MalformedLinePolicy.SKIP_AND_REPORT, DEFAULT_MAX_LINE_BYTES, handler);
    }

    /**
     * Returns a copy with another longest line.
     *
     * @param bytes the longest line accepted, in bytes
     * @return the copy
     */
    public EventStreamOptions withMaxLineBytes(int bytes) {
        return new EventStreamOptions(policy, bytes, malformedLineHandler);
    }
}
