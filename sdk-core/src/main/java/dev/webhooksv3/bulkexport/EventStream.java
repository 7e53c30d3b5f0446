package dev.webhooksv3.bulkexport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The events of an NDJSON export file, read one line at a time in constant memory.
 *
 * <p>Open one on a file ({@link #open(Path)}), on any {@link InputStream} ({@link #of(InputStream)})
 * or straight from the API ({@code client.streamEvents(…)}), and close it, best with
 * try-with-resources: closing releases the file or the HTTP connection at once, also when the
 * iteration stopped early. The stream owns its source and closes it; {@link #close()} is
 * idempotent, and the stream closes itself at the end of the input and on a failure. A stream
 * dropped without being closed has its source closed once the garbage collector finds it
 * unreachable: a safety net, not a substitute for closing.
 *
 * <p>States, one at a time:
 * <pre>
 *   NEW ──iterator()──▶ READING ──hasNext() reads an event ahead──▶ HOLDING
 *                         ▲                                           │
 *                         └───────────next() hands it out─────────────┘
 *   any state ──end of input, a read failure, a malformed line under FAIL, close()──▶ CLOSED
 * </pre>
 * {@code CLOSED} is final: the source is closed and no event follows, not even one that
 * {@code hasNext()} read ahead before {@link #close()}. {@link #iterator()} is allowed only in
 * {@code NEW}, so a stream is iterated once; a second call, or one after closing, throws
 * {@link IllegalStateException}. A stream is not thread-safe.
 *
 * <p>Framing: lines end at {@code \n} ({@code \r\n} accepted); blank lines are skipped; a UTF-8
 * byte order mark at the start of the file is skipped; the last line needs no line break. Each
 * line must be one JSON object in valid UTF-8 and no longer than
 * {@link EventStreamOptions#maxLineBytes()}; any other line is malformed and handled per
 * {@link EventStreamOptions#policy()}: it throws a {@link MalformedEventException} (line number,
 * byte offset, excerpt), or is reported and skipped without disturbing the lines around it.
 * Failures to read the source are {@link UncheckedIOException}s (files, streams) or
 * {@link BulkExportException}s (the API).
 */
public final class EventStream implements Iterable<FailedEvent>, AutoCloseable {

    /** Closes the source of a stream that was dropped without {@link #close()}, once it is collected. */
    private static final Cleaner CLEANER = Cleaner.create();

    private final LineFramer lines;
    private final Cleaner.Cleanable cleanable;
    private final EventStreamOptions options;
    private State state = State.NEW;
    /** The event read ahead, in {@link State#HOLDING} only. */
    private FailedEvent next;
    private long positionLine;
    private long positionOffset;
    private long malformedLines;

    /** Where a stream is; see the class documentation for the transitions. */
    private enum State {
        /** Created; {@link #iterator()} not yet called. */
        NEW,
        /** Iterating, no event read ahead: the next {@code hasNext()} reads lines. */
        READING,
        /** Iterating, one event read ahead by {@code hasNext()} and held for {@code next()}. */
        HOLDING,
        /** The source is closed; no event follows. */
        CLOSED
    }

    private EventStream(InputStream in, StreamPosition from, EventStreamOptions options) {
        this.options = Objects.requireNonNull(options, "options");
        this.lines = new LineFramer(in, options.maxLineBytes(), from.line(), from.byteOffset());
        this.cleanable = CLEANER.register(this, new CloseSource(lines));
        this.positionLine = from.line();
        this.positionOffset = from.byteOffset();
    }

    /**
     * Opens a stream on an export file, with default options.
     *
     * @param file the NDJSON file
     * @return the stream; the caller closes it
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static EventStream open(Path file) {
        return open(file, StreamPosition.START, EventStreamOptions.defaults());
    }

    /**
     * Opens a stream on an export file.
     *
     * @param file the NDJSON file
     * @param options the malformed-line policy and line limit
     * @return the stream; the caller closes it
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static EventStream open(Path file, EventStreamOptions options) {
        return open(file, StreamPosition.START, options);
    }

    /**
     * Opens a stream on an export file, continuing from a position an earlier stream returned
     * ({@link #position()}); line numbers and offsets continue from it.
     *
     * @param file the NDJSON file
     * @param from where to start
     * @param options the malformed-line policy and line limit
     * @return the stream; the caller closes it
     * @throws IllegalArgumentException if the position is past the end of the file
     * @throws UncheckedIOException if the file cannot be opened
     */
    public static EventStream open(Path file, StreamPosition from, EventStreamOptions options) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(options, "options");
        try {
            FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
            try {
                if (from.byteOffset() > channel.size()) {
                    throw new IllegalArgumentException("position " + from + " is past the end of " + file
                            + " (" + channel.size() + " bytes)");
                }
                channel.position(from.byteOffset());
            } catch (IOException | RuntimeException e) {
                channel.close();
                throw e;
            }
            return new EventStream(Channels.newInputStream(channel), from, options);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open export file " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Opens a stream on NDJSON bytes, with default options. The stream takes ownership of
     * {@code in} and closes it.
     *
     * @param in the bytes
     * @return the stream; the caller closes it
     */
    public static EventStream of(InputStream in) {
        return of(in, EventStreamOptions.defaults());
    }

    /**
     * Opens a stream on NDJSON bytes. The stream takes ownership of {@code in} and closes it.
     *
     * @param in the bytes
     * @param options the malformed-line policy and line limit
     * @return the stream; the caller closes it
     */
    public static EventStream of(InputStream in, EventStreamOptions options) {
        return of(in, StreamPosition.START, options);
    }

    /**
     * Opens a stream on NDJSON bytes that continue from a position an earlier stream returned:
     * {@code in} starts at {@code from.byteOffset()} of the file, and line numbers and offsets
     * continue from {@code from}. The stream takes ownership of {@code in} and closes it.
     *
     * @param in the bytes from {@code from.byteOffset()} on
     * @param from where {@code in} starts
     * @param options the malformed-line policy and line limit
     * @return the stream; the caller closes it
     */
    public static EventStream of(InputStream in, StreamPosition from, EventStreamOptions options) {
        return new EventStream(Objects.requireNonNull(in, "in"), Objects.requireNonNull(from, "from"), options);
    }

    /**
     * Returns the iterator over the events; callable once.
     *
     * @return the iterator; its {@code next()} may throw {@link MalformedEventException},
     *     {@link UncheckedIOException} or {@link BulkExportException}
     * @throws IllegalStateException if called a second time, or after {@link #close()}
     */
    @Override
    public Iterator<FailedEvent> iterator() {
        if (state != State.NEW) {
            throw new IllegalStateException(state == State.CLOSED ? "EventStream is closed"
                    : "EventStream can be iterated only once");
        }
        state = State.READING;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return advance();
            }

            @Override
            public FailedEvent next() {
                if (!advance()) {
                    throw new NoSuchElementException("no more events");
                }
                FailedEvent event = EventStream.this.next;
                EventStream.this.next = null;
                state = State.READING;
                positionLine = event.lineNumber();
                positionOffset = lines.endOffset();
                return event;
            }
        };
    }

    /**
     * Returns the events as a sequential {@link Stream}; closing it closes this event stream.
     *
     * @return the stream
     */
    public Stream<FailedEvent> stream() {
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(iterator(),
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(this::close);
    }

    /**
     * Returns the position after the last event returned: its line number and the byte offset
     * just past its line break. Before the first event, the position the stream started from.
     *
     * @return the position
     */
    public StreamPosition position() {
        return new StreamPosition(positionLine, positionOffset);
    }

    /**
     * Returns how many malformed lines were met so far.
     *
     * @return the count
     */
    public long malformedLines() {
        return malformedLines;
    }

    /** Moves from READING to HOLDING or CLOSED; true when an event is held. */
    private boolean advance() {
        if (state != State.READING) {
            return state == State.HOLDING;
        }
        try {
            while (lines.next()) {
                byte[] buf = lines.buffer();
                try {
                    if (lines.tooLong()) {
                        throw EventParser.malformed("line is longer than " + options.maxLineBytes() + " bytes",
                                buf, lines.lineStart(), lines.lineLength(), lines.lineNumber(), lines.lineOffset(), null);
                    }
                    next = EventParser.parse(buf, lines.lineStart(), lines.lineLength(), lines.lineNumber(),
                            lines.lineOffset(), lines.lineNonAscii());
                    state = State.HOLDING;
                    return true;
                } catch (MalformedEventException bad) {
                    malformedLines++;
                    if (options.policy() == EventStreamOptions.MalformedLinePolicy.FAIL) {
                        throw bad;
                    }
                    options.malformedLineHandler().accept(bad);
                    if (state == State.CLOSED) {
                        return false; // the handler closed the stream
                    }
                }
            }
            close();
            return false;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("reading events failed after line " + lines.lineNumber()
                    + " (byte offset " + lines.endOffset() + "): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Closes the source and drops an event read ahead; idempotent. */
    @Override
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        next = null;
        cleanable.clean();
    }

    /** The cleaning action: holds the framer, never the stream, so the stream can be collected. */
    private record CloseSource(LineFramer lines) implements Runnable {
        @Override
        public void run() {
            try {
                lines.close();
            } catch (IOException e) {
                throw new UncheckedIOException("closing the event source failed: " + e.getMessage(), e);
            }
        }
    }
}
