package dev.webhooksv3.bulkexport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Holds back what a test logs and shows it only when the test fails: for tests that make the SDK
 * warn by design, thousands of times (hostile input, injected failures), where every line is
 * expected and the ones that matter would drown.
 *
 * <p>Tests log through slf4j-simple to {@code System.err}, looked up at each line
 * ({@code simplelogger.properties}); so holding back is swapping {@code System.err} for the test's
 * duration, threads the test started included. A log level cannot do this: slf4j-simple sets one
 * per logger for the whole JVM, and {@code LoggingTest} needs the SDK's DEBUG lines.
 *
 * <pre>{@code
 * @RegisterExtension
 * final HeldBackLog log = new HeldBackLog();
 * }</pre>
 */
@SuppressWarnings("exports") // public for sdk-core's test-jar, whose users (sdk-testkit's tests) run on the class path
public final class HeldBackLog implements BeforeEachCallback, AfterEachCallback {

    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    private PrintStream shown;

    /** Creates the extension; register it on an instance field, so that each test holds its own log. */
    public HeldBackLog() {
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        shown = System.err;
        System.setErr(new PrintStream(held, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        PrintStream holding = System.err;
        System.setErr(shown);
        holding.close();
        if (context.getExecutionException().isPresent()) {
            shown.println("--- what " + context.getDisplayName() + " logged (held back while it passed) ---");
            shown.print(held.toString(StandardCharsets.UTF_8));
        }
    }
}
