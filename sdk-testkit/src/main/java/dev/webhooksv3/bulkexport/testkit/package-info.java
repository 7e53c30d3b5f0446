/**
 * Test kit for the Webhooks v3 bulk export SDK: {@link dev.webhooksv3.bulkexport.testkit.WebhooksEmulator},
 * an in-process emulator of the API on the JDK's HTTP server, its JUnit 5 extension
 * ({@link dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorTest}), and a standalone launcher
 * ({@link dev.webhooksv3.bulkexport.testkit.WebhooksEmulatorMain}); and
 * {@link dev.webhooksv3.bulkexport.testkit.FakeListener}, a receiver of redelivered events (RFC 8935)
 * that delays, refuses and drops them as a test says, with its JUnit 5 extension
 * ({@link dev.webhooksv3.bulkexport.testkit.FakeListenerExtension}).
 *
 * <p>Parameters and return values are never null unless stated otherwise; a null argument is a
 * {@link java.lang.NullPointerException} naming the parameter.
 */
package dev.webhooksv3.bulkexport.testkit;
