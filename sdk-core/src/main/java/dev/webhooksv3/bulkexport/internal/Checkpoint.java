package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.webhooksv3.bulkexport.BulkExportException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.zip.CRC32;

/**
 * The durable progress of a recovery: a small file of two fixed-size slots, written alternately.
 *
 * <p>Each slot holds one JSON record, its CRC-32 and a sequence number. A write goes to the slot
 * the previous write did not use; a torn write fails its CRC, and loading takes the valid slot with
 * the highest sequence, so the previous record survives. The file is memory-mapped: a write is a
 * copy into the page cache, which outlives a crash of the process, without a system call (the
 * recovery writes one record per event). Writes are forced to disk (msync) when asked, and
 * otherwise at least every {@code fsyncInterval}, which bounds what a power loss can take back.
 *
 * <p>The format is readable JSON, for people debugging a recovery, and is read strictly (a member
 * twice, an unsafe id or an unknown phase make a slot invalid). The members that hold text (the
 * ids, the phase, the digest) are written by Jackson, once per change, so that a server's id is
 * never spliced into the record as text; only the counters are appended per write.
 */
final class Checkpoint implements AutoCloseable {

    static final int SLOT_BYTES = 1024;

    /** Where the recovery of one export stands. */
    enum Phase {
        /**
         * The job is known; its file is not downloaded yet ({@code fileBytes} tells how much of it
         * is), and the events of what is downloaded are being handled.
         */
        STARTED,
        /** The file is downloaded; the rest of its events are being handled. */
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
                 String fileSha256, long line, long byteOffset, long handled, long malformed, long deadLettered,
                 long handledBeforeChange, String acknowledgedAbove) {

        static State started(String subscriptionId, String exportId) {
            return new State(0, subscriptionId, exportId, Phase.STARTED, 0, null, 0, 0, 0, 0, 0, 0, "");
        }

        /** The file is complete; the handling's progress (made while it downloaded) is kept. */
        State downloaded(long bytes, String sha256) {
            return new State(sequence, subscriptionId, exportId, Phase.DOWNLOADED, bytes, sha256, line, byteOffset,
                    handled, malformed, deadLettered, handledBeforeChange, acknowledgedAbove);
        }

        /** While the file downloads: how many of its bytes are on disk. */
        State downloading(long bytes) {
            return new State(sequence, subscriptionId, exportId, phase, bytes, fileSha256, line, byteOffset, handled,
                    malformed, deadLettered, handledBeforeChange, acknowledgedAbove);
        }

        State handledThrough(long atLine, long atOffset, long handledTotal, long malformedTotal, long deadTotal) {
            return new State(sequence, subscriptionId, exportId, phase, fileBytes, fileSha256, atLine,
                    atOffset,
                    handledTotal, malformedTotal, deadTotal, handledBeforeChange, acknowledgedAbove);
        }

        /**
         * Concurrent handling: every line up to {@code atLine} is done, and so are those after it
         * that {@code above} marks (bit i: line {@code atLine + 1 + i}), in lowercase hex of
         * {@link java.util.BitSet#toLongArray} words, each 16 digits.
         */
        State handledThrough(long atLine, long atOffset, long handledTotal, long malformedTotal, long deadTotal,
                             String above) {
            return new State(sequence, subscriptionId, exportId, phase, fileBytes, fileSha256, atLine, atOffset,
                    handledTotal, malformedTotal, deadTotal, handledBeforeChange, above);
        }

        /**
         * The file changed on the server after the events of its first {@code byteOffset} bytes
         * were handled: those bytes now end the file of handled-before-change events, which holds
         * {@code handledBytes} in all, and the handling starts over on the new file, skipping them.
         */
        State changed(long handledBytes) {
            return new State(sequence, subscriptionId, exportId, Phase.STARTED, 0, null, 0, 0, handled, malformed,
                    deadLettered, handledBytes, "");
        }

        State in(Phase next) {
            return new State(sequence, subscriptionId, exportId, next, fileBytes, fileSha256, line, byteOffset,
                    handled, malformed, deadLettered, handledBeforeChange, acknowledgedAbove);
        }

        boolean isOpen() {
            return phase == Phase.STARTED || phase == Phase.DOWNLOADED;
        }

        private State withSequence(long next) {
            return new State(next, subscriptionId, exportId, phase, fileBytes, fileSha256, line, byteOffset, handled,
                    malformed, deadLettered, handledBeforeChange, acknowledgedAbove);
        }

        /** The members that hold text, as a JSON object without its closing brace. */
        private String textMembers() {
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("version", 2);
            record.put("subscriptionId", subscriptionId);
            record.put("exportId", exportId);
            record.put("phase", phase.name());
            record.put("fileSha256", fileSha256);
            try {
                String json = STRICT.writeValueAsString(record);
                return json.substring(0, json.length() - 1);
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("cannot write a checkpoint record", e);
            }
        }

        static State fromJson(String json) throws Json.ShapeException {
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
                    Json.count(node, "handled"), Json.count(node, "malformed"), Json.count(node, "deadLettered"),
                    Json.count(node, "handledBeforeChange"), acknowledged(node));
        }
    }

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer slots;
    private final Clock clock;
    private final Duration fsyncInterval;
    private final byte[] record = new byte[SLOT_BYTES];
    private final CRC32 crc = new CRC32();
    private long sequence;
    private State last;
    private Instant lastForce;
    private boolean dirty;
    /** The Jackson-written text members of the last record, and the state they were written for. */
    private String textMembers;
    private State textMembersOf;

    private Checkpoint(Path file, FileChannel channel, MappedByteBuffer slots, long sequence, Clock clock,
                       Duration fsyncInterval) {
        this.file = file;
        this.channel = channel;
        this.slots = slots;
        this.sequence = sequence;
        this.clock = clock;
        this.fsyncInterval = fsyncInterval;
        this.lastForce = clock.instant();
    }

    /** Reads the newest valid record, if the file exists. */
    static Optional<State> load(Path file) throws IOException {
        return CheckpointFile.load(file);
    }

    private static String acknowledged(JsonNode node) throws Json.ShapeException {
        String hex = Json.text(node, "acknowledgedAbove");
        if (hex == null) {
            return "";
        }
        if (!hex.matches("([0-9a-f]{16})*")) {
            throw new Json.ShapeException("acknowledgedAbove is not hex words");
        }
        return hex;
    }

    /** Opens the file for writing, continuing the sequence of {@code prior}. */
    static Checkpoint open(Path file, Optional<State> prior, Clock clock, Duration fsyncInterval) throws IOException {
        boolean created = !Files.exists(file);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        try {
            boolean grows = channel.size() < 2L * SLOT_BYTES;
            MappedByteBuffer slots = channel.map(FileChannel.MapMode.READ_WRITE, 0, 2L * SLOT_BYTES);
            if (grows) {
                channel.force(true); // the new length, before any record relies on it
            }
            if (created) {
                Disk.forceDirectory(file.toAbsolutePath().getParent());
            }
            return new Checkpoint(file, channel, slots, prior.map(State::sequence).orElse(0L), clock, fsyncInterval);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * Writes a record to the other slot; forces it to disk when {@code force} is set or the fsync
     * interval has passed.
     *
     * @return the record as written, with its sequence
     */
    State write(State state, boolean force) {
        State next = state.withSequence(++sequence);
        last = next;
        encode(next);
        slots.put((int) (sequence % 2) * SLOT_BYTES, record, 0, SLOT_BYTES);
        dirty = true;
        Instant now = clock.instant();
        if (force || Duration.between(lastForce, now).compareTo(fsyncInterval) >= 0) {
            try {
                slots.force();
            } catch (UncheckedIOException e) {
                throw new BulkExportException("cannot write checkpoint " + file + ": " + e.getMessage(), e);
            }
            lastForce = now;
            dirty = false;
        }
        return next;
    }

    /** The record last written by this instance, if any. */
    Optional<State> last() {
        return Optional.ofNullable(last);
    }

    /** Fills {@link #record}: the JSON, a newline, its CRC-32 in hex, a newline, blanks, a newline. */
    private void encode(State state) {
        if (textMembersOf == null || !sameText(textMembersOf, state)) {
            textMembers = state.textMembers();
            textMembersOf = state;
        }
        StringBuilder json = new StringBuilder(textMembers.length() + 160).append(textMembers)
                .append(",\"sequence\":").append(state.sequence())
                .append(",\"fileBytes\":").append(state.fileBytes())
                .append(",\"line\":").append(state.line())
                .append(",\"byteOffset\":").append(state.byteOffset())
                .append(",\"handled\":").append(state.handled())
                .append(",\"malformed\":").append(state.malformed())
                .append(",\"deadLettered\":").append(state.deadLettered())
                .append(",\"handledBeforeChange\":").append(state.handledBeforeChange())
                .append(",\"acknowledgedAbove\":\"").append(state.acknowledgedAbove()).append("\"}");
        int length = json.length();
        if (length + 11 > SLOT_BYTES) {
            throw new IllegalStateException("checkpoint record exceeds " + SLOT_BYTES + " bytes: " + length);
        }
        for (int i = 0; i < length; i++) {
            record[i] = (byte) json.charAt(i); // ASCII: Jackson escapes the rest, and ids are safe segments
        }
        crc.reset();
        crc.update(record, 0, length);
        record[length] = '\n';
        long value = crc.getValue();
        for (int i = 0; i < 8; i++) {
            record[length + 1 + i] = (byte) Character.forDigit((int) (value >>> (28 - 4 * i)) & 0xf, 16);
        }
        Arrays.fill(record, length + 9, SLOT_BYTES - 1, (byte) ' ');
        record[length + 9] = '\n';
        record[SLOT_BYTES - 1] = '\n';
    }

    private static boolean sameText(State a, State b) {
        return a.phase() == b.phase() && a.exportId().equals(b.exportId())
                && a.subscriptionId().equals(b.subscriptionId()) && Objects.equals(a.fileSha256(), b.fileSha256());
    }

    @Override
    public void close() throws IOException {
        try {
            if (dirty) {
                slots.force();
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            channel.close();
        }
    }
}
