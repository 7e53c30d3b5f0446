package dev.webhooksv3.bulkexport.testkit;

import java.util.Objects;
import java.util.function.Consumer;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension that starts a {@link FakeListener} before each test and closes it after, and
 * injects it into test, {@code @BeforeEach} and {@code @AfterEach} method parameters of type
 * {@link FakeListener}.
 *
 * <p><b>One listener per test, not per class</b>, as {@link WebhooksEmulatorExtension} does: the
 * journal, the script and the mix count from the first request, so a shared listener would make
 * tests depend on their order. Starting one takes a few milliseconds.
 *
 * <pre>{@code
 * class RedeliveryTest {
 *     @RegisterExtension
 *     static final FakeListenerExtension listener = FakeListenerExtension.configured(builder -> builder
 *             .requireHeader("Authorization", "Bearer listener-secret")
 *             .failFirst(2, 503));
 *
 *     @Test
 *     void retriesUntilTheListenerTakesTheEvent(FakeListener listener) throws Exception {
 *         myPipeline.redeliver(exportFile, listener.uri());
 *         assertEquals(List.of(jti), listener.journal().awaitAccepted(1, Duration.ofSeconds(10)));
 *     }
 * }
 * }</pre>
 *
 * With {@code @ExtendWith(FakeListenerExtension.class)} instead, each test gets a listener with
 * the {@linkplain FakeListener#builder() builder's defaults}. Register one extension per class: two
 * would compete to resolve the same parameters. Next to a {@link WebhooksEmulatorExtension}, each
 * resolves its own type.
 */
public final class FakeListenerExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(FakeListenerExtension.class);
    private static final String KEY = "listener";

    private final Consumer<FakeListener.Builder> configuration;
    private volatile FakeListener current;

    /** Creates the extension with the builder's defaults (JUnit calls this for {@code @ExtendWith}). */
    public FakeListenerExtension() {
        this(builder -> { });
    }

    private FakeListenerExtension(Consumer<FakeListener.Builder> configuration) {
        this.configuration = configuration;
    }

    /**
     * Returns an extension whose listeners are configured by {@code configuration}, applied to a
     * new {@linkplain FakeListener#builder() builder}.
     *
     * @param configuration sets latency, answers, limits …; called once per test, before the
     *     listener starts
     * @return the extension
     */
    public static FakeListenerExtension configured(Consumer<FakeListener.Builder> configuration) {
        return new FakeListenerExtension(Objects.requireNonNull(configuration, "configuration"));
    }

    /**
     * Returns the listener of the test running now, for tests that prefer a field to a parameter
     * (with tests running concurrently in one class, use parameters instead).
     *
     * @return the running listener
     * @throws IllegalStateException if no test is running
     */
    public FakeListener listener() {
        FakeListener running = current;
        if (running == null) {
            throw new IllegalStateException("no FakeListener is running: listener() is available during a test only");
        }
        return running;
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        FakeListener.Builder builder = FakeListener.builder();
        configuration.accept(builder);
        FakeListener listener = builder.start();
        context.getStore(NAMESPACE).put(KEY, listener);
        current = listener;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        FakeListener listener = context.getStore(NAMESPACE).remove(KEY, FakeListener.class);
        current = null;
        if (listener != null) {
            listener.close();
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == FakeListener.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        FakeListener listener = context.getStore(NAMESPACE).get(KEY, FakeListener.class);
        if (listener == null) {
            throw new ParameterResolutionException("no FakeListener is running for " + context.getDisplayName()
                    + ": listeners are injected into test, @BeforeEach and @AfterEach methods only, not "
                    + "constructors or @BeforeAll");
        }
        return listener;
    }
}
