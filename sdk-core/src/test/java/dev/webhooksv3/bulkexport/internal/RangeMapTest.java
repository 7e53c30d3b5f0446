package dev.webhooksv3.bulkexport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RangeMapTest {

    private static final String ETAG = "\"v1\"";

    @TempDir
    Path dir;

    @Test
    void cutsTheFileIntoChunksTheLastOneShorter() {
        RangeMap map = RangeMap.plan(1_000, ETAG, 300);

        assertEquals(4, map.count());
        assertEquals(900, map.start(3));
        assertEquals(1_000, map.end(3));
        assertEquals(0, map.bytes());
        assertEquals(0, map.contiguous(0));
        assertEquals(4, map.incomplete());
    }

    @Test
    void everyChunksProgressSurvivesAWriteAndARead() throws IOException {
        RangeMap map = RangeMap.plan(1_000, ETAG, 100);
        map.advance(0, 100);
        map.advance(1, 200);
        map.advance(2, 250); // chunks 0-2 held from 0 to 250: one range
        map.advance(4, 500);
        map.advance(5, 600); // 4-5 complete, 6 untouched: another range
        map.advance(7, 710);
        map.advance(9, 1_000);
        Path file = dir.resolve("f.part.ranges");

        map.snapshot().write(file);

        List<String> held = Files.readAllLines(file).stream().filter(line -> line.startsWith("have ")).toList();
        assertEquals(List.of("have 0 250", "have 400 600", "have 700 710", "have 900 1000"), held);
        RangeMap read = RangeMap.read(file).orElseThrow();
        assertEquals(ETAG, read.validator());
        assertEquals(1_000, read.length());
        assertEquals(100, read.chunkBytes());
        for (int c = 0; c < map.count(); c++) {
            assertEquals(map.done(c), read.done(c), "chunk " + c);
        }
        assertEquals(250, read.contiguous(0));
        assertEquals(map.bytes(), read.bytes());
        assertEquals(5, read.incomplete(), "chunks 2, 3, 6, 7 and 8");
    }

    @Test
    void aTornMapIsNotTrusted() throws IOException {
        Path file = dir.resolve("f.part.ranges");
        RangeMap.plan(1_000, ETAG, 100).write(file);
        byte[] whole = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(whole, whole.length - 3));

        assertFalse(RangeMap.read(file).isPresent());
    }

    @Test
    void heldRangesThatDoNotStartAtAChunkOrOverlapOrOverrunAreNotTrusted() throws IOException {
        Path file = dir.resolve("f.part.ranges");
        for (String held : List.of("have 50 150\n", "have 0 300\nhave 200 400\n", "have 0 1001\n", "have 300 300\n")) {
            write(file, "webhooks-bulkexport ranged download 2\nlength 1000\nvalidator " + ETAG + "\nchunk 100\n" + held);

            assertFalse(RangeMap.read(file).isPresent(), held);
        }
        write(file, "webhooks-bulkexport ranged download 2\nlength 1000\nvalidator " + ETAG + "\nchunk 100\nhave 0 300\n");
        assertEquals(Optional.of(300L), RangeMap.read(file).map(map -> map.contiguous(0)), "the same, well formed");
    }

    @Test
    void aMapOfTheEarlierOneRangePerConnectionFormatIsNotTrusted() throws IOException {
        Path file = dir.resolve("f.part.ranges");
        write(file, "webhooks-bulkexport ranged download 1\nlength 1000\nvalidator " + ETAG + "\nrange 0 100\n"
                + "range 500 600\n");

        assertFalse(RangeMap.read(file).isPresent());
        assertTrue(Files.exists(file), "reading leaves the file to the caller");
    }

    /** Writes {@code body} with its CRC line, as {@link RangeMap#write} does. */
    private static void write(Path file, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(bytes);
        Files.writeString(file, body + "crc32 " + crc.getValue() + "\n");
    }
}
