package dev.webhooksv3.bulkexport.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.BulkExportException;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The events a handler kept failing on, one JSON object a line in
 * {@code dead-letters-<exportId>.ndjson}: line, byte offset, event id, reason and the raw line.
 * Each is forced to disk before the checkpoint moves past the event, so none is lost; a crash
 * between the two may write one twice.
 */
final class DeadLetters {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final Path file;

    DeadLetters(Path directory, String exportId) {
        this.file = directory.resolve("dead-letters-" + exportId + ".ndjson");
    }

    Path file() {
        return file;
    }

    synchronized void add(FailedEvent event, int attempts, Exception last) {
        Map<String, Object> letter = new LinkedHashMap<>();
        letter.put("line", event.lineNumber());
        letter.put("offset", event.byteOffset());
        letter.put("eventId", event.eventId().orElse(null));
        letter.put("attempts", attempts);
        letter.put("reason", Redaction.excerpt(String.valueOf(last), 1_024));
        letter.put("event", event.rawJson());
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer bytes = ByteBuffer.wrap((MAPPER.writeValueAsString(letter) + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                out.write(bytes);
            }
            out.force(false);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a dead letter", e);
        } catch (IOException e) {
            throw new BulkExportException("cannot write dead letter file " + file + ": " + e.getMessage(), e);
        }
    }
}
