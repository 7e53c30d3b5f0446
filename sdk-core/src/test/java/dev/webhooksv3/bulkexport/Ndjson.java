package dev.webhooksv3.bulkexport;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The NDJSON test fixtures of this module: a file built line by line that remembers where each
 * line starts, the inputs tests feed a reader (short reads, lines too large to hold, a source that
 * records its closing), and the helpers that turn an {@link EventStream} back into lists.
 */
final class Ndjson {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Long> offsets = new ArrayList<>();

    /** Bytes before the first line, such as a byte order mark. */
    Ndjson prefix(byte[] bytes) {
        out.writeBytes(bytes);
        return this;
    }

    /** A line ended by {@code \n}. */
    Ndjson line(String text) {
        return line(text, "\n");
    }

    /** A line ended by {@code end} ({@code ""} for a last line without a line break). */
    Ndjson line(String text, String end) {
        return line(text.getBytes(UTF_8), end);
    }

    /** A line of raw bytes ended by {@code end}. */
    Ndjson line(byte[] text, String end) {
        offsets.add((long) out.size());
        out.writeBytes(text);
        out.writeBytes(end.getBytes(UTF_8));
        return this;
    }

    /** The offset of line {@code number}'s first byte (from 1); the size for a line past the last. */
    long offset(int number) {
        return number <= offsets.size() ? offsets.get(number - 1) : out.size();
    }

    int lineCount() {
        return offsets.size();
    }

    long size() {
        return out.size();
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    InputStream stream() {
        return new ByteArrayInputStream(bytes());
    }

    Path write(Path file) throws IOException {
        return Files.write(file, bytes());
    }

    // ---------------------------------------------------------------- reading back

    /** Every event of {@code stream}, which is closed afterwards. */
    static List<FailedEvent> readAll(EventStream stream) {
        List<FailedEvent> events = new ArrayList<>();
        try (stream) {
            for (FailedEvent event : stream) {
                events.add(event);
            }
        }
        return events;
    }

    /** Every event of an NDJSON text, with default options. */
    static List<FailedEvent> readAll(String ndjson) {
        return readAll(EventStream.of(new ByteArrayInputStream(ndjson.getBytes(UTF_8))));
    }

    /** The event's id, or {@code <none>}. */
    static String id(FailedEvent event) {
        return event.eventId().orElse("<none>");
    }

    static List<String> ids(List<FailedEvent> events) {
        return events.stream().map(Ndjson::id).toList();
    }

    static List<Long> lineNumbers(List<FailedEvent> events) {
        return events.stream().map(FailedEvent::lineNumber).toList();
    }

    static List<Long> offsets(List<FailedEvent> events) {
        return events.stream().map(FailedEvent::byteOffset).toList();
    }

    static List<Long> reportedLines(List<MalformedEventException> reports) {
        return reports.stream().map(MalformedEventException::lineNumber).toList();
    }

    // ---------------------------------------------------------------- bytes and inputs

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** {@code bytes} served in reads no longer than {@code readSizes} says, one size per read. */
    static InputStream chunked(byte[] bytes, IntSupplier readSizes) {
        return new ByteArrayInputStream(bytes) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, len == 0 ? 0 : Math.min(len, Math.max(1, readSizes.getAsInt())));
            }
        };
    }

    /** {@code head}, then {@code fillerLength} times {@code x}, then {@code tail}, never all in memory. */
    static InputStream generated(byte[] head, long fillerLength, byte[] tail) {
        return new InputStream() {
            private final long total = head.length + fillerLength + tail.length;
            private long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (position >= total) {
                    return -1;
                }
                int n = 0;
                while (n < len && position < total) {
                    int count;
                    if (position < head.length) {
                        count = (int) Math.min(len - n, head.length - position);
                        System.arraycopy(head, (int) position, b, off + n, count);
                    } else if (position < head.length + fillerLength) {
                        count = (int) Math.min(len - n, head.length + fillerLength - position);
                        Arrays.fill(b, off + n, off + n + count, (byte) 'x');
                    } else {
                        int from = (int) (position - head.length - fillerLength);
                        count = Math.min(len - n, tail.length - from);
                        System.arraycopy(tail, from, b, off + n, count);
                    }
                    n += count;
                    position += count;
                }
                return n;
            }
        };
    }

    /** A source that records whether, and how often, it was closed. */
    static final class CloseRecordingInputStream extends FilterInputStream {
        boolean closed;
        int closeCount;

        CloseRecordingInputStream(byte[] bytes) {
            super(new ByteArrayInputStream(bytes));
        }

        @Override
        public void close() throws IOException {
            closed = true;
            closeCount++;
            super.close();
        }
    }
}
