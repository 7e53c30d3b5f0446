package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32;

/**
 * The chunks of a parallel download, which version of the file they are of, and how far each got:
 * the file is cut into chunks of {@link #chunkBytes()} (the last one shorter), fetched in file
 * order by whichever connection is free; {@code done(c)} only grows, and every byte of chunk
 * {@code c} below it is in the part file.
 *
 * <p>Kept beside the part file ({@code target.part.ranges}) so that a later process fetches only
 * what is missing, over any number of connections: a few lines of text (the byte ranges the part
 * file holds, adjacent chunks joined) and a CRC-32 of them, written to a temporary file and renamed
 * over the old one, so that a crash leaves either the old or the new map, and a torn or foreign
 * file is recognised and ignored. The caller forces the part file before writing the map: a map
 * must never claim bytes that a power loss could take back.
 */
final class RangeMap {

    private static final String FORMAT = "webhooks-bulkexport ranged download 2";

    private final long length;
    private final String validator;
    private final long chunkBytes;
    private final AtomicLongArray done;

    private RangeMap(long length, String validator, long chunkBytes, long[] done) {
        this.length = length;
        this.validator = validator;
        this.chunkBytes = chunkBytes;
        this.done = new AtomicLongArray(done);
    }

    /** Cuts {@code length} bytes into chunks of {@code chunkBytes}, none done. */
    static RangeMap plan(long length, String validator, long chunkBytes) {
        if (length <= 0 || chunkBytes <= 0 || (length - 1) / chunkBytes >= Integer.MAX_VALUE) {
            throw new IllegalArgumentException("cannot cut " + length + " bytes into chunks of " + chunkBytes);
        }
        long[] done = new long[(int) ((length + chunkBytes - 1) / chunkBytes)];
        for (int c = 0; c < done.length; c++) {
            done[c] = c * chunkBytes;
        }
        return new RangeMap(length, validator, chunkBytes, done);
    }

    /** A copy with the progress as it is now, to be written once the bytes it counts are forced. */
    RangeMap snapshot() {
        long[] now = new long[count()];
        for (int c = 0; c < now.length; c++) {
            now[c] = done(c);
        }
        return new RangeMap(length, validator, chunkBytes, now);
    }

    long length() {
        return length;
    }

    String validator() {
        return validator;
    }

    long chunkBytes() {
        return chunkBytes;
    }

    int count() {
        return done.length();
    }

    long start(int chunk) {
        return chunk * chunkBytes;
    }

    /** The end of a chunk, exclusive. */
    long end(int chunk) {
        return Math.min(length, (chunk + 1) * chunkBytes);
    }

    /** Where a chunk continues: the first of its bytes not yet in the part file. */
    long done(int chunk) {
        return done.get(chunk);
    }

    /** Records that the bytes of {@code chunk} before {@code position} are in the part file. */
    void advance(int chunk, long position) {
        done.set(chunk, position);
    }

    boolean complete(int chunk) {
        return done(chunk) >= end(chunk);
    }

    /** How many chunks are not complete. */
    int incomplete() {
        int left = 0;
        for (int c = 0; c < count(); c++) {
            left += complete(c) ? 0 : 1;
        }
        return left;
    }

    /** How many bytes of the file are in the part file. */
    long bytes() {
        long sum = 0;
        for (int c = 0; c < count(); c++) {
            sum += done(c) - start(c);
        }
        return sum;
    }

    /**
     * The end of the part file's complete prefix, looking from {@code chunk} on (every chunk before
     * it known complete): every byte before it is in place.
     */
    long contiguous(int chunk) {
        for (int c = chunk; c < count(); c++) {
            if (!complete(c)) {
                return done(c);
            }
        }
        return length;
    }

    /** The chunk that holds byte {@code position} (the last one for the file's end). */
    int chunkAt(long position) {
        return (int) Math.min(count() - 1, position / chunkBytes);
    }

    /** Writes the map, replacing {@code file} atomically. */
    void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder(FORMAT).append('\n')
                .append("length ").append(length).append('\n')
                .append("validator ").append(validator).append('\n')
                .append("chunk ").append(chunkBytes).append('\n');
        for (int c = 0; c < count(); ) {
            long from = start(c);
            long to = done(c);
            while (to == end(c) && c + 1 < count() && done(c + 1) > start(c + 1)) {
                to = done(++c); // a complete chunk and the held start of the next: one range
            }
            c++;
            if (to > from) {
                text.append("have ").append(from).append(' ').append(to).append('\n');
            }
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, concat(body, ("crc32 " + crc(body) + "\n").getBytes(StandardCharsets.UTF_8)));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The map in {@code file}, or empty when there is none or it cannot be trusted (torn, another
     * format, ranges that do not start at a chunk or overlap).
     */
    static Optional<RangeMap> read(Path file) {
        try {
            byte[] bytes = Files.readAllBytes(file);
            String text = new String(bytes, StandardCharsets.UTF_8);
            int crcLine = text.lastIndexOf("crc32 ");
            if (crcLine < 0 || !text.endsWith("\n")) {
                return Optional.empty();
            }
            byte[] body = text.substring(0, crcLine).getBytes(StandardCharsets.UTF_8);
            if (!text.substring(crcLine + 6, text.length() - 1).equals(Long.toString(crc(body)))) {
                return Optional.empty();
            }
            return parse(text.substring(0, crcLine).split("\n"));
        } catch (IOException | RuntimeException unreadable) {
            return Optional.empty();
        }
    }

    private static Optional<RangeMap> parse(String[] lines) {
        if (lines.length < 4 || !lines[0].equals(FORMAT) || !lines[1].startsWith("length ")
                || !lines[2].startsWith("validator ") || !lines[3].startsWith("chunk ")) {
            return Optional.empty();
        }
        String validator = lines[2].substring(10);
        if (validator.isEmpty()) {
            return Optional.empty();
        }
        RangeMap map = plan(Long.parseLong(lines[1].substring(7)), validator, Long.parseLong(lines[3].substring(6)));
        long previous = -1;
        for (int i = 4; i < lines.length; i++) {
            String[] fields = lines[i].split(" ");
            if (fields.length != 3 || !fields[0].equals("have")) {
                return Optional.empty();
            }
            long from = Long.parseLong(fields[1]);
            long to = Long.parseLong(fields[2]);
            if (from < previous || from % map.chunkBytes != 0 || to <= from || to > map.length) {
                return Optional.empty();
            }
            for (int c = map.chunkAt(from); c < map.count() && map.start(c) < to; c++) {
                map.advance(c, Math.min(map.end(c), to));
            }
            previous = to;
        }
        return Optional.of(map);
    }

    private static long crc(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return crc.getValue();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] joined = new byte[a.length + b.length];
        System.arraycopy(a, 0, joined, 0, a.length);
        System.arraycopy(b, 0, joined, a.length, b.length);
        return joined;
    }
}
