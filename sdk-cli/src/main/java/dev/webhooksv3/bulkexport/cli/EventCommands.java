package dev.webhooksv3.bulkexport.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.webhooksv3.bulkexport.EventQuery;
import dev.webhooksv3.bulkexport.EventState;
import dev.webhooksv3.bulkexport.RedeliveryReport;
import dev.webhooksv3.bulkexport.StoredEvent;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The commands on the event store (7 days): events and redeliver. */
final class EventCommands {

    private EventCommands() {
    }

    @Command(name = "events", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"List events of the subscription's event store (the last 7 days), "
        + "oldest first.", "Pipe --ids-only into 'redeliver --ids-from -' to redeliver them."})
    static final class EventsCommand extends ApiCommand {
        @Option(names = "--state", paramLabel = "STATE", defaultValue = "failure",
                description = "failure (default), success, awaiting-retry, awaiting-executing, or any.")
        String state;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "100",
                description = "The most events to list (default ${DEFAULT-VALUE}; 0 for all).")
        long limit;

        @Option(names = "--after", paramLabel = "EVENT_ID", description = "Only events after this one.")
        String after;

        @Option(names = "--before", paramLabel = "EVENT_ID", description = "Only events before this one.")
        String before;

        @Option(names = "--ids-only", description = "Print only the ids, one a line (ignored with --json).")
        boolean idsOnly;

        @Override
        int run(Session session, Output output) {
            if (limit < 0) {
                throw new WebhooksExport.UsageException("--limit must not be negative: " + limit);
            }
            EventQuery query = EventQuery.of(session.subscriptionId);
            if (!"any".equalsIgnoreCase(state)) {
                EventState wanted = EventState.of(state.strip().toLowerCase(java.util.Locale.ROOT));
                if (!wanted.isKnown()) {
                    throw new WebhooksExport.UsageException("--state must be failure, success, awaiting-retry, "
                            + "awaiting-executing or any: " + state);
                }
                query = query.withState(wanted);
            }
            if (after != null) {
                query = query.withAfter(after);
            }
            if (before != null) {
                query = query.withBefore(before);
            }
            List<StoredEvent> events;
            try (Stream<StoredEvent> stream = session.client.listEvents(query)) {
                events = (limit == 0 ? stream : stream.limit(limit)).toList();
            }
            ObjectNode document = Shapes.object();
            document.put("count", events.size());
            ArrayNode items = document.putArray("events");
            events.forEach(event -> items.add(Shapes.event(event)));
            output.result(document, () -> idsOnly ? String.join(System.lineSeparator(),
                    events.stream().map(StoredEvent::id).toList()) : table(events));
            return Exit.OK;
        }

        private static String table(List<StoredEvent> events) {
            StringBuilder text = new StringBuilder(String.format("%,d event(s)", events.size()));
            if (!events.isEmpty()) {
                text.append(String.format("%n%-38s %-19s %8s  %-24s %s", "ID", "STATE", "ATTEMPTS", "UPDATED",
                        "ENDPOINT"));
            }
            for (StoredEvent e : events) {
                text.append(String.format("%n%-38s %-19s %8s  %-24s %s", e.id(), e.state(),
                        e.attempts().isPresent() ? Integer.toString(e.attempts().getAsInt()) : "-",
                        e.updatedAt().map(Object::toString).orElse("-"), e.endpoint().orElse("-")));
            }
            return text.toString();
        }
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        description = {"Schedule failed events for delivery again, one request each.",
        "For a few events; for thousands, an export (recover) is the tool. Exits 0 when every event was",
        "redelivered, else with the failures' code when they agree (4: all refused), else 1."})
    static final class RedeliverCommand extends ApiCommand {
        @Parameters(paramLabel = "EVENT_ID", arity = "0..*", description = "The events (state failure).")
        List<String> eventIds = new ArrayList<>();

        @Option(names = "--ids-from", paramLabel = "FILE",
                description = "Read event ids from FILE, one a line ('-' for standard input); a JSON line gives its "
                        + "eventId or id, so a recovery's dead-letters file can be given as it is.")
        String idsFrom;

        @Option(names = "--concurrency", paramLabel = "N", defaultValue = "8",
                description = "Redeliveries in flight at once, 1 to 64 (default ${DEFAULT-VALUE}).")
        int concurrency;

        @Override
        int run(Session session, Output output) {
            List<String> ids = new ArrayList<>(eventIds);
            if (idsFrom != null) {
                ids.addAll(readIds(idsFrom, root.io.in(), root.io.err()));
            }
            if (ids.isEmpty()) {
                throw new WebhooksExport.UsageException("Name the events to redeliver: EVENT_ID… or --ids-from FILE");
            }
            RedeliveryReport report;
            boolean stopped;
            try (Stop stop = Stop.onSignal()) {
                report = session.client.redeliverEvents(session.subscriptionId, ids, concurrency);
                stopped = stop.requested();
                Thread.interrupted(); // the report is complete; what follows must not see the stop's interrupt
                print(report, output);
                if (stopped) {
                    output.note(notAttempted(report));
                }
            }
            return stopped ? Exit.STOPPED : exitCode(report);
        }

        private static void print(RedeliveryReport report, Output output) {
            output.result(Shapes.redelivery(report), () -> {
                long done = report.items().stream().filter(i -> i.status() == RedeliveryReport.Status.REDELIVERED)
                        .count();
                StringBuilder text = new StringBuilder(String.format("Redelivered %,d of %,d event(s)", done,
                        report.items().size()));
                for (RedeliveryReport.Item item : report.items()) {
                    if (item.status() != RedeliveryReport.Status.REDELIVERED) {
                        text.append(String.format("%n  %-38s %-13s %s", item.eventId(), item.status(),
                                item.failure().map(Throwable::getMessage).orElse("")));
                    }
                }
                return text.toString();
            });
        }

        /** After a stop: where the ids not attempted are, to redeliver them (and only them) next. */
        private static String notAttempted(RedeliveryReport report) {
            List<String> ids = report.items().stream()
                    .filter(item -> item.status() == RedeliveryReport.Status.NOT_ATTEMPTED)
                    .map(RedeliveryReport.Item::eventId).toList();
            if (ids.isEmpty()) {
                return "Stopped; every event was attempted.";
            }
            try {
                Path file = Files.createTempFile("webhooks-redeliver-", ".txt");
                Files.write(file, ids, StandardCharsets.UTF_8);
                return String.format("Stopped; %,d event(s) were not attempted. Redeliver them with:%n"
                        + "  webhooks-export redeliver --ids-from %s", ids.size(), file);
            } catch (IOException e) {
                return String.format("Stopped; %,d event(s) were not attempted (listed above; they could not be "
                        + "written to a file: %s)", ids.size(), e.getMessage());
            }
        }

        static int exitCode(RedeliveryReport report) {
            Optional<Integer> agreed = Optional.empty();
            for (RedeliveryReport.Item item : report.items()) {
                if (item.status() == RedeliveryReport.Status.REDELIVERED) {
                    continue;
                }
                int code = item.failure().map(Exit::of).orElse(Exit.FAILED);
                if (agreed.isPresent() && agreed.get() != code) {
                    return Exit.FAILED;
                }
                agreed = Optional.of(code);
            }
            return agreed.orElse(Exit.OK);
        }

        /** A JSON line, as a dead-letter file or {@code events --json} holds: its {@code eventId} or {@code id}. */
        private static String idOf(String line, String source) {
            try {
                JsonNode node = Output.JSON.readTree(line);
                JsonNode id = node.hasNonNull("eventId") ? node.get("eventId") : node.get("id");
                return id == null || !id.isTextual() ? null : id.asText(); // a dead letter of an event without id
            } catch (JsonProcessingException e) {
                throw new WebhooksExport.UsageException("A line of " + source + " starts like JSON but is not: "
                        + e.getOriginalMessage());
            }
        }

        private static List<String> readIds(String source, InputStream in, java.io.PrintStream err) {
            try (BufferedReader reader = "-".equals(source)
                    ? new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(source), StandardCharsets.UTF_8)) {
                List<String> ids = new ArrayList<>();
                long withoutId = 0;
                for (String line : (Iterable<String>) reader.lines().map(String::strip)::iterator) {
                    String id = line.isEmpty() || line.startsWith("#") ? "" : line.startsWith("{")
                            ? idOf(line, source) : line;
                    if (id == null) {
                        withoutId++;
                    } else if (!id.isEmpty()) {
                        ids.add(id);
                    }
                }
                if (withoutId > 0) {
                    err.println("webhooks-export: skipped " + withoutId + " JSON line(s) of " + source
                            + " without an eventId or id");
                }
                return ids;
            } catch (IOException e) {
                throw new WebhooksExport.UsageException("Cannot read event ids from " + source + ": " + e);
            } catch (UncheckedIOException e) {
                throw new WebhooksExport.UsageException("Cannot read event ids from " + source + ": " + e.getCause());
            }
        }
    }
}
