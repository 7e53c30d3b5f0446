package dev.webhooksv3.bulkexport.cli;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code webhooks-export}: the command-line tool of the SDK, for an on-call engineer recovering
 * webhook events that failed to deliver. Every command is a thin layer over one
 * {@link BulkExportClient} call; the options common to all of them (where the API is, how to
 * print) are here and may be given before or after the command's name.
 *
 * <p>Standard output carries the result only (text, or one JSON document with {@code --json});
 * progress, notes and errors go to standard error, so {@code --json} output can be piped as it is.
 */
@Command(name = "webhooks-export", mixinStandardHelpOptions = true, versionProvider = WebhooksExport.Version.class,
        sortOptions = false, usageHelpAutoWidth = true, showAtFileInUsageHelp = false,
        description = "Recovers webhook events that failed to deliver, through the Webhooks v3 bulk export API.%n",
        subcommands = {AssessCommand.class, SummaryCommand.class, JobCommands.ListCommand.class,
            JobCommands.StartCommand.class, JobCommands.StatusCommand.class, JobCommands.AwaitCommand.class,
            JobCommands.CancelCommand.class, DownloadCommand.class, EventCommands.EventsCommand.class,
            EventCommands.RedeliverCommand.class, RecoverCommand.class, EmulatorCommand.class,
            CommandLine.HelpCommand.class},
        commandListHeading = "%nCommands:%n",
        footerHeading = "%n",
        footer = {
            "Configuration, highest precedence first: the flags above; the environment (WEBHOOKS_BASE_URI or "
                + "WEBHOOKS_REGION, WEBHOOKS_CUSTOMER_ID, WEBHOOKS_SUBSCRIPTION_ID, WEBHOOKS_CLIENT_ID, "
                + "WEBHOOKS_CLIENT_SECRET, WEBHOOKS_LISTENER_AUTHORIZATION, WEBHOOKS_WORK_DIR); the profile file "
                + "(--profile or WEBHOOKS_PROFILE: Java properties with the keys base-uri, region, customer-id, "
                + "subscription-id, client-id, client-secret, listener-authorization, work-dir). Secrets are "
                + "never taken from arguments, which shells keep in their history and other users see in ps.",
            "",
            "Exit codes: 0 done; 1 failed (an export that failed, a refused event, a local error); 2 usage or "
                + "configuration; 3 authentication refused; 4 not found or conflict (e.g. another export is "
                + "running, or one completed in the last 24 hours); 5 transient failures that outlasted the "
                + "retries (network, 5xx, 429, a wait that timed out): run again later; 130 stopped by Ctrl-C "
                + "(143 by SIGTERM), with the progress saved.",
            "",
            "Try it without an account:",
            "  webhooks-export --emulator recover \\",
            "      --work-dir /tmp/recovery --output /tmp/events.ndjson"})
public final class WebhooksExport implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--profile", scope = ScopeType.INHERIT, paramLabel = "FILE",
            description = "Settings file (Java properties); default: $WEBHOOKS_PROFILE, if set.")
    Path profile;

    @Option(names = "--base-uri", scope = ScopeType.INHERIT, paramLabel = "URI",
            description = "The API, e.g. https://v1.api.us.janrain.com (https only, except on loopback).")
    String baseUri;

    @Option(names = "--region", scope = ScopeType.INHERIT, paramLabel = "REGION",
            description = "The API's region, instead of --base-uri: us, eu, …")
    String region;

    @Option(names = "--customer-id", scope = ScopeType.INHERIT, paramLabel = "ID", description = "Your customer id.")
    String customerId;

    @Option(names = {"-s", "--subscription-id"}, scope = ScopeType.INHERIT, paramLabel = "ID",
            description = "The webhook subscription.")
    String subscriptionId;

    @Option(names = "--client-id", scope = ScopeType.INHERIT, paramLabel = "ID",
            description = "The API client's id (its secret: WEBHOOKS_CLIENT_SECRET or the profile).")
    String clientId;

    /** Only there to refuse it with a message saying where a secret goes instead. */
    @Option(names = {"--client-secret", "--secret"}, scope = ScopeType.INHERIT, hidden = true)
    String secretArgument;

    @Option(names = "--max-attempts", scope = ScopeType.INHERIT, paramLabel = "N", defaultValue = "4",
            description = "Attempts per API call through network failures, 429 and 5xx, counting the first "
                    + "(default ${DEFAULT-VALUE}; 1: no retry).")
    int maxAttempts;

    @Option(names = "--json", scope = ScopeType.INHERIT,
            description = "Print the result as one JSON document (errors too), for scripts.")
    boolean json;

    @Option(names = "--progress", scope = ScopeType.INHERIT, paramLabel = "MODE", defaultValue = "auto",
            description = "auto (a bar on a terminal, else plain lines), bar, lines or none; on stderr.")
    Progress.Mode progress;

    @Option(names = {"-v", "--verbose"}, scope = ScopeType.INHERIT,
            description = "Log the SDK's requests and retries (DEBUG) on stderr; tokens are never logged.")
    boolean verbose;

    @Option(names = "--emulator", scope = ScopeType.INHERIT,
            description = "Run against an embedded emulator seeded with failed events, instead of the API.")
    boolean emulator;

    @Option(names = "--emulator-events", scope = ScopeType.INHERIT, paramLabel = "N", defaultValue = "50000",
            description = "How many failed events the embedded emulator holds (default ${DEFAULT-VALUE}).")
    long emulatorEvents;

    /** An option whose name says it carries a secret: its value is never echoed, even in a usage error. */
    private static final Pattern SECRET_OPTION = Pattern.compile("-[^=]*(secr|sekr|token|passw|auth|cred|key)[^=]*",
            Pattern.CASE_INSENSITIVE);
    /** An unknown option quoted back with its value: the value is not shown, whatever the option. */
    private static final Pattern QUOTED_OPTION_VALUE = Pattern.compile("'(-[^'=\\s]*)=[^']*'");

    final Io io;
    private final List<String> arguments;

    WebhooksExport(Io io, List<String> arguments) {
        this.io = io;
        this.arguments = arguments;
    }

    /**
     * Runs the tool and exits with its exit code.
     *
     * @param args the command line
     */
    public static void main(String[] args) {
        System.exit(execute(args, Io.system()));
    }

    /** Runs one command line against {@code io} and returns the exit code; never calls {@code System.exit}. */
    static int execute(String[] args, Io io) {
        WebhooksExport root = new WebhooksExport(io, List.of(args));
        CommandLine commandLine = new CommandLine(root)
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8))
                .setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8))
                .setParameterExceptionHandler(root::usageError)
                .setExecutionExceptionHandler((e, cmd, parsed) -> root.failed(e));
        commandLine.setExecutionStrategy(parsed -> {
            Logging.configure(root.verbose);
            return new CommandLine.RunLast().execute(parsed);
        });
        return commandLine.execute(args);
    }

    /** Without a command: the usage on stderr, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(io.err());
        if (json) {
            output().error(Exit.USAGE, new UsageException("Say which command to run (see webhooks-export --help)"));
        }
        return Exit.USAGE;
    }

    /** The settings of this command line, resolved against the environment and the profile. */
    Settings settings() {
        if (secretArgument != null) {
            throw new UsageException("A secret is never taken from arguments (shells keep them in their history and "
                    + "other users see them in ps): set WEBHOOKS_CLIENT_SECRET, or client-secret in the profile file");
        }
        return Settings.resolve(this, io);
    }

    /** Opens a session on the API (or the embedded emulator) as this command line says. */
    Session openSession() {
        return Session.open(settings(), emulator, emulatorEvents, retryPolicy(), output());
    }

    RetryPolicy retryPolicy() {
        if (maxAttempts < 1) {
            throw new UsageException("--max-attempts must be at least 1: " + maxAttempts);
        }
        return RetryPolicy.defaults().withMaxAttempts(maxAttempts);
    }

    /** Where and how results and notes are printed. */
    Output output() {
        return new Output(json, io);
    }

    /** The progress display this command line asks for. */
    Progress progress() {
        return new Progress(progress == Progress.Mode.AUTO ? (io.terminal() ? Progress.Mode.BAR
                : Progress.Mode.LINES) : progress, io.err());
    }

    /**
     * The command line as typed, to show how to run it again, with what a URL may carry in its
     * user-info and query (a listener's password or token) shown as {@code ***}.
     */
    String commandLine() {
        StringBuilder line = new StringBuilder("webhooks-export");
        for (String argument : arguments) {
            String shown = Output.withoutUrlSecrets(argument);
            line.append(' ').append(shown.matches("[A-Za-z0-9_./:=,@%+*?-]+") ? shown
                    : "'" + shown.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }

    private int usageError(ParameterException e, String[] args) {
        PrintStream err = io.err();
        String message = withoutSecrets(e.getMessage(), args);
        err.println("webhooks-export: " + message);
        CommandLine command = e.getCommandLine();
        err.println("Usage: " + command.getCommandSpec().qualifiedName() + " … (see "
                + command.getCommandSpec().qualifiedName() + " --help)");
        if (json) {
            output().error(Exit.USAGE, new UsageException(message));
        }
        return Exit.USAGE;
    }

    /**
     * A usage error's message without the values of mistyped secret options ({@code --client-secrte=…},
     * {@code --token …}): picocli quotes unknown arguments back, and a typo must not print a secret.
     */
    static String withoutSecrets(String message, String[] args) {
        String shown = Output.withoutUrlSecrets(QUOTED_OPTION_VALUE.matcher(message).replaceAll("'$1=***'"));
        for (int i = 0; i < args.length; i++) {
            int equals = args[i].indexOf('=');
            String name = equals < 0 ? args[i] : args[i].substring(0, equals);
            if (!SECRET_OPTION.matcher(name).matches()) {
                continue;
            }
            String value = equals >= 0 ? args[i].substring(equals + 1) : i + 1 < args.length ? args[i + 1] : "";
            if (!value.isEmpty()) {
                shown = shown.replace(value, "***");
            }
        }
        return shown;
    }

    private int failed(Exception e) {
        int code = Exit.of(e);
        Output output = output();
        output.describeFailure(code, e);
        if (json) {
            output.error(code, e);
        }
        return code;
    }

    /** The version line of {@code --version}: the tool's and the Java runtime's. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"webhooks-export " + BulkExportClient.version() + " (Java "
                    + System.getProperty("java.version") + ", " + System.getProperty("java.vendor") + ")"};
        }
    }

    /** A mistake in the command line or the configuration: exit code 2, the message as it is. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** The streams and environment a run works with: the process's, or a test's. */
    record Io(Map<String, String> env, InputStream in, PrintStream out, PrintStream err, boolean terminal) {

        static Io system() {
            return new Io(System.getenv(), System.in, System.out, System.err, isTerminal());
        }

        /**
         * Whether a person is watching: a console attached to a terminal. Up to Java 21 a console
         * exists only then; from 22 it always exists and {@code isTerminal()} says.
         */
        private static boolean isTerminal() {
            java.io.Console console = System.console();
            if (console == null) {
                return false;
            }
            try {
                return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
            } catch (ReflectiveOperationException beforeJava22) {
                return true;
            }
        }
    }
}
