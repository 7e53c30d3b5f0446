package dev.webhooksv3.bulkexport.examples;

import dev.webhooksv3.bulkexport.EventStream;
import dev.webhooksv3.bulkexport.EventStreamOptions;
import dev.webhooksv3.bulkexport.FailedEvent;
import java.util.Map;
import java.util.TreeMap;

/**
 * Streams the events of export {@code WEBHOOKS_EXPORT_ID} (required against the real API; on the
 * embedded emulator, of a new export) straight from the API, without a file, and counts them by
 * type. Settings: see {@link Example}.
 */
public final class StreamEvents {

    private StreamEvents() {
    }

    /**
     * Runs the example.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Example example = Example.connect(20_000)) {
            String exportId = example.completedExportId();
            Map<String, Long> byType = new TreeMap<>();
            long events = 0;
            EventStreamOptions options = EventStreamOptions.skipAndReport(
                    bad -> System.out.println("  skipped: " + bad.getMessage()));
            try (EventStream stream = example.client.streamEvents(example.subscriptionId, exportId, options)) {
                for (FailedEvent event : stream) {
                    if (events++ < 3) {
                        System.out.printf("  %s %s subject=%s at %s%n", event.eventId().orElse("?"), event.eventTypes(),
                                event.subject().orElse("?"), event.occurredAt().map(Object::toString).orElse("?"));
                    }
                    event.eventTypes().forEach(type -> byType.merge(type, 1L, Long::sum));
                }
                System.out.printf("Streamed %,d events of export %s (%d malformed lines): %s%n", events, exportId,
                        stream.malformedLines(), byType);
            }
        }
    }
}
