package dev.webhooksv3.bulkexport;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Splits a byte stream into NDJSON lines without decoding them, in bounded memory.
 *
 * <p>Framing: lines end at {@code \n}; a {@code \r} before it is dropped; blank lines are skipped
 * (but counted); a UTF-8 byte order mark at the very start of the input is skipped; the last line
 * needs no newline. A line longer than the maximum is reported as {@link #tooLong()} with only its
 * first bytes kept, and skipped without being buffered.
 *
 * <p>State: after {@link #next()} returns true, {@link #buffer()}, {@link #lineStart()},
 * {@link #lineLength()}, {@link #lineNumber()}, {@link #lineOffset()} and {@link #endOffset()}
 * describe the current line until the next call. The buffer is reused: copy what you keep.
 */
final class LineFramer implements Closeable {

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;
    private static final long NEWLINES = 0x0A0A0A0A0A0A0A0AL;
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** What a too-long line keeps: enough for its excerpt, as UTF-8 takes up to 4 bytes a character. */
    private static final int EXCERPT_BYTES = 4 * EventParser.EXCERPT_CHARS;

    private final InputStream in;
    private final int maxLineBytes;
    private byte[] buf = new byte[INITIAL_BUFFER];
    private int pos;
    private int limit;
    private int scanFrom;
    private long bufOffset;
    private boolean eof;
    private boolean atStart;

    private byte[] lineBuf;
    private int lineStart;
    private int lineLength;
    private long lineNumber;
    private long lineOffset;
    private long endOffset;
    private boolean tooLong;
    private long scanBits;
    private boolean lineNonAscii;

    /**
     * Frames a stream.
     *
     * @param in the bytes; closed by {@link #close()}
     * @param maxLineBytes the longest line accepted
     * @param startLine the number of lines before the stream's first byte
     * @param startOffset the offset of the stream's first byte in the file
     */
    LineFramer(InputStream in, int maxLineBytes, long startLine, long startOffset) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
        this.lineNumber = startLine;
        this.bufOffset = startOffset;
        this.endOffset = startOffset;
        this.atStart = startOffset == 0;
    }

    /**
     * Moves to the next non-blank line.
     *
     * @return false at the end of the input
     * @throws IOException if reading fails
     */
    boolean next() throws IOException {
        while (true) {
            int newline = indexOfNewline(scanFrom, limit);
            if (newline >= 0) {
                if (frame(pos, newline, newline + 1)) {
                    return true;
                }
                continue;
            }
            scanFrom = limit;
            if (eof) {
                return pos < limit && frame(pos, limit, limit);
            }
            // One byte of slack: a line of exactly the maximum may be followed by a '\r' whose '\n' is not read yet.
            if (limit - pos > maxLineBytes + 1) {
                skipLongLine();
                return true;
            }
            fill();
        }
    }

    /** Sets the current line to [start, end) and consumes up to {@code next}; false when blank. */
    private boolean frame(int start, int end, int next) {
        long offset = bufOffset + start;
        lineNumber++;
        pos = next;
        scanFrom = next;
        endOffset = bufOffset + next;
        if (end > start && buf[end - 1] == '\r') {
            end--;
        }
        if (end - start > maxLineBytes) {
            setLine(buf, start, Math.min(EXCERPT_BYTES, end - start), offset, true);
            return true;
        }
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (b != ' ' && b != '\t' && b != '\r') {
                setLine(buf, start, end - start, offset, false);
                return true;
            }
        }
        scanBits = 0;
        return false;
    }

    private void setLine(byte[] bytes, int start, int length, long offset, boolean overLimit) {
        lineNonAscii = (scanBits & HIGH_BITS) != 0;
        scanBits = 0;
        lineBuf = bytes;
        lineStart = start;
        lineLength = length;
        lineOffset = offset;
        tooLong = overLimit;
    }

    /** The current line has no newline within the limit: keep an excerpt, discard the rest. */
    private void skipLongLine() throws IOException {
        long offset = bufOffset + pos;
        byte[] excerpt = Arrays.copyOfRange(buf, pos, pos + Math.min(EXCERPT_BYTES, limit - pos));
        lineNumber++;
        while (true) {
            pos = limit;
            compact();
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                eof = true;
                break;
            }
            int newline = indexOfNewline(limit, limit + n);
            limit += n;
            if (newline >= 0) {
                pos = newline + 1;
                break;
            }
        }
        scanFrom = pos;
        endOffset = bufOffset + pos;
        setLine(excerpt, 0, excerpt.length, offset, true);
    }

    private void fill() throws IOException {
        if (limit == buf.length) {
            if (pos > 0) {
                compact();
            } else {
                int grown = (int) Math.min((long) buf.length * 2, (long) maxLineBytes + 2);
                buf = Arrays.copyOf(buf, Math.max(grown, buf.length + 1));
            }
        }
        int n = in.read(buf, limit, buf.length - limit);
        if (n < 0) {
            eof = true;
            return;
        }
        limit += n;
        if (atStart && limit >= 3) {
            atStart = false;
            if ((buf[0] & 0xFF) == 0xEF && (buf[1] & 0xFF) == 0xBB && (buf[2] & 0xFF) == 0xBF) {
                pos = 3;
                scanFrom = 3;
            }
        } else if (atStart && n > 0 && (buf[0] & 0xFF) != 0xEF) {
            atStart = false;
        }
    }

    private void compact() {
        int remaining = limit - pos;
        System.arraycopy(buf, pos, buf, 0, remaining);
        bufOffset += pos;
        scanFrom -= pos;
        if (scanFrom < 0) {
            scanFrom = 0;
        }
        limit = remaining;
        pos = 0;
    }

    /**
     * Finds the next '\n' eight bytes at a time, noting on the way whether the line so far has a
     * non-ASCII byte: one pass over the bytes frames the line and tells the parser whether it needs
     * the full UTF-8 check.
     */
    private int indexOfNewline(int from, int to) {
        byte[] b = buf;
        int i = from;
        for (; i + 8 <= to; i += 8) {
            long word = (long) LONGS.get(b, i);
            if (hasZeroByte(word ^ NEWLINES)) {
                break;
            }
            scanBits |= word;
        }
        for (; i < to; i++) {
            byte c = b[i];
            if (c == '\n') {
                return i;
            }
            scanBits |= c;
        }
        return -1;
    }

    private static boolean hasZeroByte(long word) {
        return ((word - ONES) & ~word & HIGH_BITS) != 0;
    }

    /** The buffer holding the current line. */
    byte[] buffer() {
        return lineBuf;
    }

    /** Where the current line starts in {@link #buffer()}. */
    int lineStart() {
        return lineStart;
    }

    /** The current line's length without its line break (for a too-long line: of the excerpt). */
    int lineLength() {
        return lineLength;
    }

    /** The current line's number, from 1. */
    long lineNumber() {
        return lineNumber;
    }

    /** The offset of the current line's first byte. */
    long lineOffset() {
        return lineOffset;
    }

    /** The offset just after the current line and its line break. */
    long endOffset() {
        return endOffset;
    }

    /** Whether the current line may hold bytes outside ASCII (and so needs the UTF-8 check). */
    boolean lineNonAscii() {
        return lineNonAscii;
    }

    /** Whether the current line is longer than the maximum (only an excerpt is kept). */
    boolean tooLong() {
        return tooLong;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
