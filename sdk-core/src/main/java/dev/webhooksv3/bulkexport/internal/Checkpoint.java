package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The durable progress of a recovery: a small file of two fixed-size slots, written alternately.
 *
 * <p>Each slot holds one JSON record, its CRC-32 and a sequence number. A write goes to the slot
 * the previous write did not use, with one positioned write (a process crash either applies it or
 * not); a torn write (power loss) fails its CRC, and loading takes the valid slot with the highest
 * sequence, so the previous record survives. Writes are forced to disk when asked, and otherwise at
 * least every {@code fsyncInterval}. The format is readable JSON, for people debugging a recovery,
 * written by Jackson (a server's id is never spliced into it as text) and read strictly (a member
 * twice, an unsafe id or an unknown phase make a slot invalid).
 */
final class Checkpoint implements AutoCloseable {

    static final int SLOT_BYTES = 1024;

    /** Where the recovery of one export stands. */
    enum Phase {
        /** The job is known; its file is not downloaded yet. */
        STARTED,
        /** The file is downloaded; events are being handled. */
        DOWNLOADED,
        /** Every event was handled (or dead-lettered). */
        DONE,
        /** The job ended canceled or failed, or expired before its file was downloaded: nothing to handle. */
        ABANDONED
    }

    /** Reads records strictly: a record with a member twice is not one this SDK wrote. */
    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** One record. */
    record State(long sequence, String subscriptionId, String exportId, Phase phase, long fileBytes,
                 String fileSha256, long line, long byteOffset, long handled, long malformed, long deadLettered) {

        static State started(String subscriptionId, String exportId) {
            return new State(0, subscriptionId, exportId, Phase.STARTED, 0, null, 0, 0, 0, 0, 0);
        }

        State downloaded(long bytes, String sha256) {
            return new State(sequence, subscriptionId, exportId, Phase.DOWNLOADED, bytes, sha256, 0, 0, 0, 0, 0);
        }

        State handledThrough(long atLine, long atOffset, long handledTotal, long malformedTotal, long deadTotal) {
            return new State(sequence, subscriptionId, exportId, phase, fileBytes, fileSha256, atLine,
                    atOffset,
                    handledTotal, malformedTotal, deadTotal);
        }

        State in(Phase next) {
            return new State(sequence, subscriptionId, exportId, next, fileBytes, fileSha256, line,
                    byteOffset,
                    handled, malformed, deadLettered);
        }

        boolean isOpen() {
            return phase == Phase.STARTED || phase == Phase.DOWNLOADED;
        }

        private State withSequence(long next) {
            return new State(next, subscriptionId, exportId, phase, fileBytes, fileSha256, line,
                    byteOffset, handled,
                    malformed, deadLettered);
        }

        private String toJson() {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("version", 2);
            record.put("sequence", sequence);
            record.put("subscriptionId", subscriptionId);
            record.put("exportId", exportId);
            record.put("phase", phase.name());
            record.put("fileBytes", fileBytes);
            record.put("fileSha256", fileSha256);
            record.put("line", line);
            record.put("byteOffset", byteOffset);
            record.put("handled", handled);
            record.put("malformed", malformed);
            record.put("deadLettered", deadLettered);
            try {
                return STRICT.writeValueAsString(record);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a checkpoint record", e);
            }
        }

        private static State fromJson(String json) throws Json.ShapeException {
            JsonNode node;
            try {
                node = STRICT.readTree(json);
            } catch (JsonProcessingException e) {
                throw new Json.ShapeException("not a checkpoint record: " + e.getOriginalMessage());
            }
            if (node == null || !node.isObject() || node.path("version").asInt() != 2) {
                throw new Json.ShapeException("not a version 2 checkpoint record");
            }
            String subscription = Json.requiredText(node, "subscriptionId", "checkpoint");
            String export = Json.requiredText(node, "exportId", "checkpoint");
            if (!Ids.isSafe(subscription) || !Ids.isSafe(export)) {
                throw new Json.ShapeException("checkpoint ids are not safe path segments");
            }
            Phase phase;
            try {
                phase = Phase.valueOf(Json.requiredText(node, "phase", "checkpoint"));
            } catch (IllegalArgumentException unknown) {
                throw new Json.ShapeException("unknown checkpoint phase");
            }
            return new State(Json.count(node, "sequence"), subscription, export, phase, Json.count(node, "fileBytes"),
                    Json.text(node, "fileSha256"), Json.count(node, "line"), Json.count(node, "byteOffset"),
                    Json.count(node, "handled"), Json.count(node, "malformed"), Json.count(node, "deadLettered"));
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final Clock clock;
    private final Duration fsyncInterval;
    private long sequence;
    private Instant lastForce;
    private boolean dirty;

    private Checkpoint(Path file, FileChannel channel, long sequence, Clock clock, Duration fsyncInterval) {
        this.file = file;
        this.channel = channel;
        this.sequence = sequence;
        this.clock = clock;
        this.fsyncInterval = fsyncInterval;
        this.lastForce = clock.instant();
    }

    /** Reads the newest valid record, if the file exists. */
    static Optional<State> load(Path file) throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        byte[] bytes = Files.readAllBytes(file);
        State best = null;
        for (int slot = 0; slot * SLOT_BYTES < bytes.length; slot++) {
            byte[] record = Arrays.copyOfRange(bytes, slot * SLOT_BYTES, Math.min(bytes.length, (slot + 1) * SLOT_BYTES));
            State state = parse(record);
            if (state != null && (best == null || state.sequence() > best.sequence())) {
                best = state;
            }
        }
        if (best == null && bytes.length > 0) {
            throw new BulkExportException("checkpoint " + file + " is unreadable (no slot passes its CRC check); "
                    + "move it away to start the recovery over (already handled events would then be handed again)",
                    null);
        }
        return Optional.ofNullable(best);
    }

    private static State parse(byte[] record) {
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
            return State.fromJson(json);
        } catch (Json.ShapeException e) {
            return null;
        }
    }

    private static String crc(String json) {
        CRC32 crc = new CRC32();
        crc.update(json.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** Opens the file for writing, continuing the sequence of {@code prior}. */
    static Checkpoint open(Path file, Optional<State> prior, Clock clock, Duration fsyncInterval) throws IOException {
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        if (created) {
            Disk.forceDirectory(file.toAbsolutePath().getParent());
        }
        return new Checkpoint(file, channel, prior.map(State::sequence).orElse(0L), clock, fsyncInterval);
    }

    /**
     * Writes a record to the other slot; forces it to disk when {@code force} is set or the fsync
     * interval has passed.
     *
     * @return the record as written, with its sequence
     */
    State write(State state, boolean force) {
        State next = state.withSequence(++sequence);
        String json = next.toJson();
        byte[] record = new byte[SLOT_BYTES];
        Arrays.fill(record, (byte) ' ');
        byte[] text = (json + "\n" + crc(json) + "\n").getBytes(StandardCharsets.UTF_8);
        if (text.length > SLOT_BYTES) {
            throw new IllegalStateException("checkpoint record exceeds " + SLOT_BYTES + " bytes: " + text.length);
        }
        System.arraycopy(text, 0, record, 0, text.length);
        record[SLOT_BYTES - 1] = '\n';
        try {
            ByteBuffer buffer = ByteBuffer.wrap(record);
            long at = (sequence % 2) * SLOT_BYTES;
            while (buffer.hasRemaining()) {
                at += channel.write(buffer, at);
            }
            dirty = true;
            Instant now = clock.instant();
            if (force || Duration.between(lastForce, now).compareTo(fsyncInterval) >= 0) {
                channel.force(false);
                lastForce = now;
                dirty = false;
            }
        } catch (IOException e) {
            throw new BulkExportException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
        return next;
    }

    @Override
    public void close() throws IOException {
        try {
            if (dirty) {
                channel.force(false);
            }
        } finally {
            channel.close();
        }
    }
}
