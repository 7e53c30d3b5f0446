package dev.webhooksv3.bulkexport.testkit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs each test of the annotated class (or the annotated test method) against a fresh
 * {@link WebhooksEmulator}, injected as a parameter of type {@link WebhooksEmulator} and/or
 * {@link dev.webhooksv3.bulkexport.BulkExportClient} into test, {@code @BeforeEach} and
 * {@code @AfterEach} methods.
 *
 * <pre>{@code
 * @WebhooksEmulatorTest(events = 500)
 * class RecoveryTest {
 *     @Test
 *     void exportsEveryFailedEvent(WebhooksEmulator emulator, BulkExportClient client) { ... }
 * }
 * }</pre>
 *
 * <p>On a test method, the method's attributes replace the class's for that test. See
 * {@link WebhooksEmulatorExtension} for why each test gets its own emulator, and for registration
 * in a field, which configures everything else (a clock, the token lifetime, the injected client).
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(WebhooksEmulatorExtension.class)
public @interface WebhooksEmulatorTest {

    /**
     * Returns how many failed events the store holds.
     *
     * @return the count; default 1000
     */
    long events() default 1_000;

    /**
     * Returns the seed of the synthetic events.
     *
     * @return the seed; default 1
     */
    long seed() default 1;

    /**
     * Returns how long a job stays {@code processing}, in milliseconds (an annotation cannot
     * hold a {@code Duration}).
     *
     * @return the job duration; default 200 ms
     */
    long jobDurationMillis() default 200;

    /**
     * Returns whether a start within 24 hours of an export's completion is refused, as the
     * service does; see {@link WebhooksEmulator.Builder#oneCompletedExportPerDay(boolean)}.
     *
     * @return false for a test that completes several exports; default true
     */
    boolean oneCompletedExportPerDay() default true;

    /**
     * Returns whether the summary is recomputed on every request rather than once a day; see
     * {@link WebhooksEmulator.Builder#liveSummary(boolean)}.
     *
     * @return true for a test that reads the summary after changing the events; default false
     */
    boolean liveSummary() default false;
}
