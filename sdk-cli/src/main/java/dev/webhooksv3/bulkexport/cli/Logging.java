package dev.webhooksv3.bulkexport.cli;

/**
 * The tool's logging backend (slf4j-simple, bundled in the jar): WARN and above on standard error,
 * or DEBUG for the SDK with {@code --verbose}. A {@code -Dorg.slf4j.simpleLogger.*} property given
 * to the JVM wins. The SDK never logs a token or secret, at any level.
 */
final class Logging {

    private static final String PREFIX = "org.slf4j.simpleLogger.";

    private Logging() {
    }

    /** Must run before the first logger is made: slf4j-simple reads its settings once. */
    static void configure(boolean verbose) {
        setIfAbsent("logFile", "System.err");
        setIfAbsent("defaultLogLevel", "warn");
        setIfAbsent("showThreadName", "false");
        setIfAbsent("showDateTime", Boolean.toString(verbose));
        setIfAbsent("dateTimeFormat", "HH:mm:ss.SSS");
        if (verbose) {
            setIfAbsent("log.dev.webhooksv3.bulkexport", "debug");
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(PREFIX + key) == null) {
            System.setProperty(PREFIX + key, value);
        }
    }
}
