package dev.webhooksv3.bulkexport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The SDK's version and the {@code User-Agent} every request carries, so that the service's operators
 * can tell this SDK's calls, and which release made them, from curl's.
 *
 * <p>The version comes from {@code version.properties}, which Maven's resource filtering writes at
 * build time: a constant in the source would drift from the POM at the first release.
 */
public final class UserAgent {

    /** The version when the classes run unfiltered, straight from an IDE's output folder. */
    static final String UNKNOWN = "unknown";

    private static final String VERSION = readVersion();
    private static final String HEADER = "webhooks-bulkexport-java/" + VERSION + " (Java/"
            + System.getProperty("java.version") + ")";

    private UserAgent() {
    }

    /**
     * The SDK's version, e.g. {@code 0.1.0}.
     *
     * @return the version of the jar on the module or class path
     */
    public static String version() {
        return VERSION;
    }

    /** The header value: {@code webhooks-bulkexport-java/<version> (Java/<java.version>)}. */
    static String header() {
        return HEADER;
    }

    private static String readVersion() {
        try (InputStream in = UserAgent.class.getResourceAsStream("version.properties")) {
            if (in == null) {
                return UNKNOWN;
            }
            Properties properties = new Properties();
            properties.load(in);
            String version = properties.getProperty("version", UNKNOWN).strip();
            // "${project.version}" itself: the file was copied without filtering.
            return version.isEmpty() || version.startsWith("${") ? UNKNOWN : version;
        } catch (IOException | IllegalArgumentException unreadable) {
            // A version is not worth failing a client for: the header still names the SDK and Java.
            return UNKNOWN;
        }
    }
}
