package dev.webhooksv3.bulkexport.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {

    private static final String SUB = "7d444840-9dc0-41f1-9b6e-5c1f2a8b1c0d";
    private static final String EXPORT = "c1b4bb72-8dd9-4dc3-bc94-d6cba1d4622c";

    @TempDir
    Path dir;

    private Checkpoint open(Path file, Optional<Checkpoint.State> prior) throws IOException {
        return Checkpoint.open(file, prior, Clock.systemUTC(), Duration.ofHours(1));
    }

    @Test
    void everyFieldSurvivesAWriteAndALoadWithTheNewestSlotWinning() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        Checkpoint.State written;
        try (Checkpoint checkpoint = open(file, Optional.empty())) {
            Checkpoint.State state = checkpoint.write(Checkpoint.State.started(SUB, EXPORT), true);
            state = checkpoint.write(state.handledThrough(3, 4_500, 3, 1, 0).downloading(9_000), false);
            written = checkpoint.write(state.downloaded(12_345, "ab".repeat(32)).handledThrough(7, 10_000, 6, 1, 1)
                    .changed(777).downloading(100), false);
        }
        Checkpoint.State loaded = Checkpoint.load(file).orElseThrow();
        assertEquals(written, loaded);
        assertEquals(3, loaded.sequence());
        assertEquals(777, loaded.handledBeforeChange());
        assertEquals(Checkpoint.Phase.STARTED, loaded.phase());
    }

    @Test
    void aRecordIsReadableJsonWithItsCrc() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        try (Checkpoint checkpoint = open(file, Optional.empty())) {
            checkpoint.write(Checkpoint.State.started(SUB, EXPORT).handledThrough(2, 300, 2, 0, 0), true);
        }
        String text = Files.readString(file).replace("\0", "");
        assertTrue(text.contains("\"exportId\":\"" + EXPORT + "\""), text);
        assertTrue(text.contains("\"byteOffset\":300,"), text);
        assertTrue(text.matches("(?s)\\s*\\{.*\\}\n[0-9a-f]{8}\n.*"), text);
    }

    @Test
    void aTornNewestSlotLeavesThePreviousRecord() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        Checkpoint.State first;
        try (Checkpoint checkpoint = open(file, Optional.empty())) {
            first = checkpoint.write(Checkpoint.State.started(SUB, EXPORT).handledThrough(1, 100, 1, 0, 0), true);
            checkpoint.write(first.handledThrough(2, 200, 2, 0, 0), true); // sequence 2: slot 0
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap("{\"torn".getBytes()), 40); // inside slot 0, as a crash mid-copy leaves it
        }
        assertEquals(first, Checkpoint.load(file).orElseThrow());
    }

    @Test
    void aFileMappedByARunThatCrashedBeforeItsFirstRecordHoldsNone() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        Files.write(file, new byte[2 * Checkpoint.SLOT_BYTES]);
        assertEquals(Optional.empty(), Checkpoint.load(file));
    }

    @Test
    void aFileOfNoValidRecordIsAnErrorThatSaysWhatToDo() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        Files.writeString(file, "not a checkpoint\n".repeat(100));
        BulkExportException e = assertThrows(BulkExportException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("move it away"), e.getMessage());
    }

    @Test
    void theSequenceContinuesAcrossProcessesSoTheNewRecordWins() throws IOException {
        Path file = dir.resolve("export.checkpoint");
        try (Checkpoint checkpoint = open(file, Optional.empty())) {
            Checkpoint.State s = checkpoint.write(Checkpoint.State.started(SUB, EXPORT), true);
            checkpoint.write(s.handledThrough(5, 500, 5, 0, 0), true);
        }
        Optional<Checkpoint.State> prior = Checkpoint.load(file);
        try (Checkpoint checkpoint = open(file, prior)) {
            checkpoint.write(prior.orElseThrow().handledThrough(6, 600, 6, 0, 0), false);
        }
        assertEquals(600, Checkpoint.load(file).orElseThrow().byteOffset());
    }
}
