package dev.webhooksv3.bulkexport.internal;

import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.CRC32;

/** Reading a {@link Checkpoint} file: the valid slot with the highest sequence, checked by its CRC-32. */
final class CheckpointFile {

    private CheckpointFile() {
    }

    /** Reads the newest valid record, if the file exists. */
    static Optional<Checkpoint.State> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        Checkpoint.State best = null;
        for (int slot = 0; slot * Checkpoint.SLOT_BYTES < bytes.length; slot++) {
            byte[] record = Arrays.copyOfRange(bytes, slot * Checkpoint.SLOT_BYTES, Math.min(bytes.length, (slot + 1) * Checkpoint.SLOT_BYTES));
            Checkpoint.State state = parse(record);
            if (state != null && (best == null || state.sequence() > best.sequence())) {
                best = state;
            }
        }
        if (best == null && !isBlank(bytes)) {
            throw new BulkExportException("checkpoint " + file + " is unreadable (no slot passes its CRC check); "
                    + "move it away to start the recovery over (already handled events would then be handed again)",
                    null);
        }
        return Optional.ofNullable(best);
    }

    /** A file opened (and so mapped) by a process that crashed before its first record. */
    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static Checkpoint.State parse(byte[] record) {
        String text = new String(record, StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        if (newline < 0 || text.length() < newline + 9) {
            return null;
        }
        String json = text.substring(0, newline);
        String crc = text.substring(newline + 1, newline + 9);
        if (!crc.equals(crc(json))) {
            return null;
        }
        try {
            return Checkpoint.State.fromJson(json);
        } catch (Json.ShapeException e) {
            return null;
        }
    }

    private static String crc(String json) {
        CRC32 crc = new CRC32();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }
}
