package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32;

/**
 * The byte ranges of a parallel download, which version of the file they are of, and how far each
 * got: {@code done(i)} only grows, and every byte of range {@code i} below it is in the part file.
 *
 * <p>Kept beside the part file ({@code target.part.ranges}) so that a later process continues each
 * range: a few lines of text and a CRC-32 of them, written to a temporary file and renamed over
 * the old one, so that a crash leaves either the old or the new map, and a torn or foreign file is
 * recognised and ignored. The caller forces the part file before writing the map: a map must never
 * claim bytes that a power loss could take back.
 */
final class RangeMap {

    private static final String FORMAT = "webhooks-bulkexport ranged download 1";

    private final long length;
    private final String validator;
    private final long[] starts;
    private final AtomicLongArray done;

    private RangeMap(long length, String validator, long[] starts, long[] done) {
        this.length = length;
        this.validator = validator;
        this.starts = starts;
        this.done = new AtomicLongArray(done);
    }

    /** Splits {@code length} bytes into {@code count} ranges of nearly equal size, none done. */
    static RangeMap plan(long length, String validator, int count) {
        long[] starts = new long[count];
        for (int i = 0; i < count; i++) {
            starts[i] = length / count * i + Math.min(i, length % count);
        }
        return new RangeMap(length, validator, starts, starts.clone());
    }

    /** A copy with the progress as it is now, to be written once the bytes it counts are forced. */
    RangeMap snapshot() {
        long[] now = new long[starts.length];
        for (int i = 0; i < now.length; i++) {
            now[i] = done(i);
        }
        return new RangeMap(length, validator, starts, now);
    }

    long length() {
        return length;
    }

    String validator() {
        return validator;
    }

    int count() {
        return starts.length;
    }

    long start(int range) {
        return starts[range];
    }

    /** The end of a range, exclusive. */
    long end(int range) {
        return range + 1 < starts.length ? starts[range + 1] : length;
    }

    /** Where a range continues: the first of its bytes not yet in the part file. */
    long done(int range) {
        return done.get(range);
    }

    /** Records that the bytes of {@code range} before {@code position} are in the part file. */
    void advance(int range, long position) {
        done.set(range, position);
    }

    boolean complete(int range) {
        return done(range) >= end(range);
    }

    /** How many bytes of the file are in the part file. */
    long bytes() {
        long sum = 0;
        for (int i = 0; i < starts.length; i++) {
            sum += done(i) - starts[i];
        }
        return sum;
    }

    /** The end of the part file's complete prefix: every byte before it is in place. */
    long contiguous() {
        for (int i = 0; i < starts.length; i++) {
            if (!complete(i)) {
                return done(i);
            }
        }
        return length;
    }

    /** Writes the map, replacing {@code file} atomically. */
    void write(Path file) throws IOException {
        StringBuilder text = new StringBuilder(FORMAT).append('\n')
                .append("length ").append(length).append('\n')
                .append("validator ").append(validator).append('\n');
        for (int i = 0; i < starts.length; i++) {
            text.append("range ").append(starts[i]).append(' ').append(done(i)).append('\n');
        }
        byte[] body = text.toString().getBytes(StandardCharsets.UTF_8);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.write(temporary, concat(body, ("crc32 " + crc(body) + "\n").getBytes(StandardCharsets.UTF_8)));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The map in {@code file}, or empty when there is none or it cannot be trusted (torn, another
     * format, ranges that do not tile the file).
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
                || !lines[2].startsWith("validator ")) {
            return Optional.empty();
        }
        long length = Long.parseLong(lines[1].substring(7));
        String validator = lines[2].substring(10);
        List<long[]> ranges = new ArrayList<>();
        for (int i = 3; i < lines.length; i++) {
            String[] fields = lines[i].split(" ");
            if (fields.length != 3 || !fields[0].equals("range")) {
                return Optional.empty();
            }
            ranges.add(new long[] {Long.parseLong(fields[1]), Long.parseLong(fields[2])});
        }
        long[] starts = ranges.stream().mapToLong(range -> range[0]).toArray();
        long[] done = ranges.stream().mapToLong(range -> range[1]).toArray();
        RangeMap map = new RangeMap(length, validator, starts, done);
        for (int i = 0; i < starts.length; i++) {
            boolean tiles = i == 0 ? starts[0] == 0 : starts[i] > starts[i - 1];
            if (!tiles || done[i] < starts[i] || done[i] > map.end(i) || map.end(i) > length) {
                return Optional.empty();
            }
        }
        return validator.isEmpty() ? Optional.empty() : Optional.of(map);
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
