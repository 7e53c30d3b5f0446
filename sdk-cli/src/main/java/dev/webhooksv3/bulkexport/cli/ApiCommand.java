package dev.webhooksv3.bulkexport.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.ParentCommand;

/**
 * A command that talks to the API: it opens a {@link Session} from the global options, runs, and
 * returns its exit code. A failure is left to {@link WebhooksExport}, which maps it to an exit code.
 */
abstract class ApiCommand implements Callable<Integer> {

    @ParentCommand
    WebhooksExport root;

    @Override
    public final Integer call() {
        Output output = root.output();
        try (Session session = root.openSession()) {
            return run(session, output);
        }
    }

    abstract int run(Session session, Output output);

    /** Durations as people type them: {@code 500ms}, {@code 90s}, {@code 10m}, {@code 2h}, {@code 1d}, or ISO-8601. */
    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {

        private static final Pattern SHORT = Pattern.compile("(\\d+)(ms|s|m|h|d)");

        @Override
        public Duration convert(String value) {
            Matcher m = SHORT.matcher(value.strip().toLowerCase(Locale.ROOT));
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                return switch (m.group(2)) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            }
            try {
                return Duration.parse(value.strip());
            } catch (RuntimeException e) {
                throw new CommandLine.TypeConversionException("'" + value + "' is not a duration (e.g. 90s, 10m, 2h)");
            }
        }
    }
}
