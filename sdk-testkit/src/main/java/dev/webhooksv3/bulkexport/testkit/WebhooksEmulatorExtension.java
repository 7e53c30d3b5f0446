package dev.webhooksv3.bulkexport.testkit;

import dev.webhooksv3.bulkexport.BulkExportClient;
import dev.webhooksv3.bulkexport.RetryPolicy;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts a {@link WebhooksEmulator} before each test and closes it after,
 * and injects it, or a {@link BulkExportClient} bound to it, into test, {@code @BeforeEach} and
 * {@code @AfterEach} method parameters.
 *
 * <p><b>One emulator per test, not per class</b>: the emulator is stateful (exported events stay
 * exported, one job may be active, one export may complete per 24 hours, faults stay switched on),
 * so sharing it would make tests depend on their order. Starting one costs a few milliseconds whatever the number of events, since
 * events are generated on demand.
 *
 * <p><b>Configuring it.</b> The common settings are attributes of
 * {@link WebhooksEmulatorTest @WebhooksEmulatorTest}, on the class or on one test method:
 * <pre>{@code
 * @WebhooksEmulatorTest(events = 500, seed = 7, jobDurationMillis = 0)
 * class RecoveryTest {
 *     @Test
 *     void exportsEveryFailedEvent(WebhooksEmulator emulator, BulkExportClient client) { ... }
 * }
 * }</pre>
 * For anything else, register the extension in a field instead:
 * {@link #configured(Consumer)} hands you the {@linkplain WebhooksEmulator#builder() emulator's
 * builder} (already holding the annotation's defaults), and {@link #withClient(Consumer)} the
 * injected client's. A test that moves time gives both the same {@link java.time.Clock} of its own,
 * so that a job's lifecycle and a token's expiry move together:
 * <pre>{@code
 * private final MovableClock clock = new MovableClock();   // any Clock the test can move
 *
 * @RegisterExtension
 * final WebhooksEmulatorExtension emulator = WebhooksEmulatorExtension
 *         .configured(builder -> builder.failedEvents(50).jobDuration(Duration.ofSeconds(2)).clock(clock))
 *         .withClient(client -> client.clock(clock).retryPolicy(RetryPolicy.none()));
 * }</pre>
 * Faults are switched on the running emulator ({@link WebhooksEmulator#faults()}): in the test, or
 * for every test of a class in a {@code @BeforeEach} method that takes the emulator as a
 * parameter. Use the annotation or a field on a class, not both: two registrations would compete
 * to resolve the same parameters.
 *
 * <p>The injected client is built on first use from {@link WebhooksEmulator#clientBuilder()}, with
 * the default retry policy but short backoffs (10 to 200 ms) so that fault tests stay fast (a
 * {@code Retry-After} is honoured as announced), then {@link #withClient(Consumer) withClient}'s
 * configuration. It is the same client for every parameter of one test.
 */
public final class WebhooksEmulatorExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(WebhooksEmulatorExtension.class);
    private static final String KEY = "emulator";

    private final Consumer<WebhooksEmulator.Builder> configuration;
    private final Consumer<BulkExportClient.Builder> clientConfiguration;
    private volatile WebhooksEmulator current;

    /** Creates the extension configured by {@link WebhooksEmulatorTest} (JUnit calls this). */
    public WebhooksEmulatorExtension() {
        this(null, client -> { });
    }

    private WebhooksEmulatorExtension(Consumer<WebhooksEmulator.Builder> configuration,
                                      Consumer<BulkExportClient.Builder> clientConfiguration) {
        this.configuration = configuration;
        this.clientConfiguration = clientConfiguration;
    }

    /**
     * Returns an extension whose emulators hold {@code n} failed events, with the other
     * {@link WebhooksEmulatorTest} defaults (seed 1, jobs of 200 ms).
     *
     * @param n how many failed events
     * @return the extension
     * @throws IllegalArgumentException if {@code n} is negative
     */
    public static WebhooksEmulatorExtension withEvents(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("events must not be negative: " + n);
        }
        return configured(builder -> builder.failedEvents(n));
    }

    /**
     * Returns an extension whose emulators are configured by {@code configuration}, applied to a
     * builder already holding the {@link WebhooksEmulatorTest} defaults (1000 events, seed 1, jobs
     * of 200 ms). The annotation's attributes are not read.
     *
     * @param configuration sets events, seed, job duration, clock, token lifetime …; called once
     *     per test, before the emulator starts
     * @return the extension
     */
    public static WebhooksEmulatorExtension configured(Consumer<WebhooksEmulator.Builder> configuration) {
        return new WebhooksEmulatorExtension(Objects.requireNonNull(configuration, "configuration"),
                client -> { });
    }

    /**
     * Returns a copy of this extension whose injected client is further configured by
     * {@code configuration} (its clock, retry policy, request timeout …), applied after the
     * emulator's address and credentials and the short backoffs. It replaces an earlier
     * {@code withClient}.
     *
     * @param configuration sets what the tests need of the client; called at most once per test
     * @return the copy
     */
    public WebhooksEmulatorExtension withClient(Consumer<BulkExportClient.Builder> configuration) {
        return new WebhooksEmulatorExtension(this.configuration,
                Objects.requireNonNull(configuration, "configuration"));
    }

    /**
     * Returns the emulator of the test running now, for tests that prefer a field to a
     * parameter (with tests running concurrently in one class, use parameters instead).
     *
     * @return the running emulator
     * @throws IllegalStateException if no test is running
     */
    public WebhooksEmulator emulator() {
        WebhooksEmulator running = current;
        if (running == null) {
            throw new IllegalStateException("no emulator is running: emulator() is available during a test only");
        }
        return running;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        WebhooksEmulator.Builder builder = WebhooksEmulator.builder()
                .failedEvents(1_000).seed(1).jobDuration(Duration.ofMillis(200));
        if (configuration != null) {
            configuration.accept(builder);
        } else {
            annotation(context).ifPresent(a -> builder.failedEvents(a.events()).seed(a.seed())
                    .jobDuration(Duration.ofMillis(a.jobDurationMillis()))
                    .oneCompletedExportPerDay(a.oneCompletedExportPerDay()).liveSummary(a.liveSummary()));
        }
        WebhooksEmulator emulator = builder.start();
        context.getStore(NAMESPACE).put(KEY, new Running(emulator, clientConfiguration));
        current = emulator;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).remove(KEY, Running.class);
        current = null;
        if (running != null) {
            running.emulator.close();
        }
    }

    private static Optional<WebhooksEmulatorTest> annotation(ExtensionContext context) {
        for (Optional<ExtensionContext> c = Optional.of(context); c.isPresent(); c = c.get().getParent()) {
            Optional<AnnotatedElement> element = c.get().getElement();
            if (element.isPresent()) {
                WebhooksEmulatorTest found = element.get().getAnnotation(WebhooksEmulatorTest.class);
                if (found != null) {
                    return Optional.of(found);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == WebhooksEmulator.class || type == BulkExportClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Running running = context.getStore(NAMESPACE).get(KEY, Running.class);
        if (running == null) {
            throw new ParameterResolutionException("no WebhooksEmulator is running for "
                    + context.getDisplayName() + ": emulators are injected into test, @BeforeEach and @AfterEach "
                    + "methods only, not constructors or @BeforeAll");
        }
        return parameter.getParameter().getType() == WebhooksEmulator.class ? running.emulator : running.client();
    }

    /** The emulator of one test and its client, built on first use. */
    private static final class Running {
        final WebhooksEmulator emulator;
        private final Consumer<BulkExportClient.Builder> clientConfiguration;
        private BulkExportClient client;

        Running(WebhooksEmulator emulator, Consumer<BulkExportClient.Builder> clientConfiguration) {
            this.emulator = emulator;
            this.clientConfiguration = clientConfiguration;
        }

        synchronized BulkExportClient client() {
            if (client == null) {
                BulkExportClient.Builder builder = emulator.clientBuilder()
                        .retryPolicy(RetryPolicy.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(200)));
                clientConfiguration.accept(builder);
                client = builder.build();
            }
            return client;
        }
    }
}
