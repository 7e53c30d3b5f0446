package dev.webhooksv3.bulkexport.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.webhooksv3.bulkexport.AwaitOptions;
import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.ListenerDelivery;
import dev.webhooksv3.bulkexport.RecoveryRequest;
import dev.webhooksv3.bulkexport.RecoveryResult;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A recovery that redelivers with {@link ListenerDelivery} to a {@link FakeListener}, end to end. */
@Timeout(120)
class ListenerDeliveryRecoveryTest {

    private static final int EVENTS = 400;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @RegisterExtension
    final WebhooksEmulatorExtension extension = WebhooksEmulatorExtension
            .configured(builder -> builder.failedEvents(EVENTS).jobDuration(Duration.ofMillis(100)));

    @TempDir
    Path work;

    @Test
    void deliversEveryExportedEventOnceAndDeadLettersTheRefusedWithTheirReason(WebhooksEmulator emulator,
                                                                              BulkExportClient client) throws IOException {
        ListenerAnswer ok = ListenerAnswer.accept();
        ListenerAnswer down = ListenerAnswer.unavailable();
        ListenerAnswer refuse = ListenerAnswer.reject("invalid_key");
        try (FakeListener listener = FakeListener.builder().latency(Duration.ofMillis(1), Duration.ofMillis(5))
                .requireHeader("Authorization", "Bearer listener-token")
                .script(down, ok, refuse, down, down, ok, ok, refuse, ok, down, ok, ok, ok, refuse, down, ok)
                .start()) {
            ListenerDelivery delivery = ListenerDelivery.to(listener.uri())
                    .header("Authorization", "Bearer listener-token")
                    .retryPolicy(new RetryPolicy(3, Duration.ofMillis(5), Duration.ofMillis(20), Duration.ofSeconds(2), 0))
                    .build();
            RecoveryRequest request = RecoveryRequest.of(emulator.subscriptionId(), work).withConcurrency(16)
                    .withDeadLettersAfter(3)
                    .withAwait(AwaitOptions.defaults().withPollInterval(Duration.ofMillis(20), Duration.ofMillis(100))
                            .withDeadline(Duration.ofSeconds(30)));

            RecoveryResult result = client.recoverFailedEvents(request, delivery);

            Path letters = work.resolve("dead-letters-" + result.exportId().orElseThrow() + ".ndjson");
            List<JsonNode> dead = Files.readAllLines(letters).stream().map(ListenerDeliveryRecoveryTest::json)
                    .collect(Collectors.toList());
            Set<String> deadIds = dead.stream().map(d -> d.get("eventId").asText()).collect(Collectors.toSet());
            Set<String> accepted = new HashSet<>(listener.journal().accepted());
            Set<String> exported = LongStream.range(0, EVENTS).mapToObj(emulator::eventId).collect(Collectors.toSet());

            assertEquals(3, dead.size(), "the three refused events, each once");
            for (JsonNode letter : dead) {
                assertEquals(1, letter.get("attempts").asInt(), "a refusal is dead-lettered at once: " + letter);
                assertTrue(letter.get("reason").asText().contains("invalid_key"), letter.toString());
            }
            assertEquals(Set.of(), listener.journal().duplicates());
            assertEquals(EVENTS - 3, listener.journal().accepted().size());
            assertEquals(Set.of(), intersection(accepted, deadIds));
            Set<String> union = new HashSet<>(accepted);
            union.addAll(deadIds);
            assertEquals(exported, union, "every exported event is accepted or dead-lettered");
            assertEquals(5L, listener.journal().statusCounts().get(503), "the scripted 503s, each retried");
            assertEquals(EVENTS - 3, result.eventsHandled());
            assertEquals(3, result.deadLettered());
        }
    }

    private static Set<String> intersection(Set<String> a, Set<String> b) {
        Set<String> both = new HashSet<>(a);
        both.retainAll(b);
        return both;
    }

    private static JsonNode json(String line) {
        try {
            return MAPPER.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("dead letter is not JSON: " + line, e);
        }
    }
}
