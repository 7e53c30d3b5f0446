package dev.webhooksv3.bulkexport.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * The settings of one run, each from the first place that has it: a flag, the environment, the
 * profile file. Secrets ({@link Key#CLIENT_SECRET}, {@link Key#LISTENER_AUTHORIZATION}) have no
 * flag. {@link #toString()} never shows a secret.
 */
final class Settings {

    /** One setting: its profile key, its environment variable and its flag, if it has one. */
    enum Key {
        BASE_URI("base-uri", "--base-uri"),
        REGION("region", "--region"),
        CUSTOMER_ID("customer-id", "--customer-id"),
        SUBSCRIPTION_ID("subscription-id", "--subscription-id"),
        CLIENT_ID("client-id", "--client-id"),
        CLIENT_SECRET("client-secret", null),
        LISTENER_AUTHORIZATION("listener-authorization", null),
        WORK_DIR("work-dir", "--work-dir");

        final String profileKey;
        final String flag;

        Key(String profileKey, String flag) {
            this.profileKey = profileKey;
            this.flag = flag;
        }

        String variable() {
            return "WEBHOOKS_" + name();
        }

        /** Where a person can set it, e.g. "--customer-id, WEBHOOKS_CUSTOMER_ID or customer-id in the profile". */
        String places() {
            return (flag == null ? "" : flag + ", ") + variable() + " or " + profileKey + " in the profile";
        }

        boolean secret() {
            return this == CLIENT_SECRET || this == LISTENER_AUTHORIZATION;
        }
    }

    static final String PROFILE_VARIABLE = "WEBHOOKS_PROFILE";

    private final Map<Key, String> values;
    private final Optional<Path> profile;

    private Settings(Map<Key, String> values, Optional<Path> profile) {
        this.values = values;
        this.profile = profile;
    }

    static Settings resolve(WebhooksExport flags, WebhooksExport.Io io) {
        Map<Key, String> given = new EnumMap<>(Key.class);
        putIfSet(given, Key.BASE_URI, flags.baseUri);
        putIfSet(given, Key.REGION, flags.region);
        putIfSet(given, Key.CUSTOMER_ID, flags.customerId);
        putIfSet(given, Key.SUBSCRIPTION_ID, flags.subscriptionId);
        putIfSet(given, Key.CLIENT_ID, flags.clientId);
        return resolve(given, io, flags.profile);
    }

    /** Flags first, then the environment, then the profile ({@code profileFlag}, else {@value #PROFILE_VARIABLE}). */
    static Settings resolve(Map<Key, String> flags, WebhooksExport.Io io, Path profileFlag) {
        Map<String, String> env = io.env();
        Optional<Path> profile = Optional.ofNullable(profileFlag)
                .or(() -> Optional.ofNullable(blankToNull(env.get(PROFILE_VARIABLE))).map(Path::of));
        Map<Key, String> fromProfile = profile.isPresent() ? readProfile(profile.get(), io) : Map.of();
        Map<Key, String> fromEnv = new EnumMap<>(Key.class);
        for (Key key : Key.values()) {
            if (blankToNull(env.get(key.variable())) != null) {
                fromEnv.put(key, env.get(key.variable()));
            }
        }
        Map<Key, String> values = new EnumMap<>(Key.class);
        for (Map<Key, String> level : List.of(flags, fromEnv, fromProfile)) {
            for (Map.Entry<Key, String> setting : level.entrySet()) {
                values.putIfAbsent(setting.getKey(), setting.getValue().strip());
            }
            // base-uri and region say one thing, where the API is: the level that says it first
            // decides, so a --region is not overridden by a base-uri in the profile (nor the reverse).
            if (values.containsKey(Key.BASE_URI) || values.containsKey(Key.REGION)) {
                values.putIfAbsent(Key.BASE_URI, "");
                values.putIfAbsent(Key.REGION, "");
            }
        }
        values.values().removeIf(String::isEmpty);
        return new Settings(values, profile);
    }

    Optional<String> get(Key key) {
        return Optional.ofNullable(values.get(key));
    }

    /** The setting, or a usage error naming where to set it. */
    String require(Key key) {
        return get(key).orElseThrow(() -> new WebhooksExport.UsageException("Missing setting: " + key.profileKey
                + " (" + key.places() + ")"));
    }

    /** What connecting to the API needs and is not set, each with where to set it; empty when complete. */
    List<String> missingForConnection() {
        List<String> missing = new ArrayList<>();
        if (get(Key.BASE_URI).isEmpty() && get(Key.REGION).isEmpty()) {
            missing.add("base-uri or region (" + Key.BASE_URI.places() + "; or " + Key.REGION.places() + ")");
        }
        for (Key key : List.of(Key.CUSTOMER_ID, Key.SUBSCRIPTION_ID, Key.CLIENT_ID, Key.CLIENT_SECRET)) {
            if (get(key).isEmpty()) {
                missing.add(key.profileKey + " (" + key.places() + ")");
            }
        }
        return missing;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("Settings{");
        values.forEach((key, value) -> text.append(key.profileKey).append('=')
                .append(key.secret() ? "<redacted>" : value).append(", "));
        return text.append("profile=").append(profile.map(Path::toString).orElse("none")).append('}').toString();
    }

    private static Map<Key, String> readProfile(Path file, WebhooksExport.Io io) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new WebhooksExport.UsageException("Cannot read the profile " + file + ": " + e.getMessage());
        }
        Map<Key, String> values = new EnumMap<>(Key.class);
        Set<String> unknown = new TreeSet<>(properties.stringPropertyNames());
        for (Key key : Key.values()) {
            String value = blankToNull(properties.getProperty(key.profileKey));
            unknown.remove(key.profileKey);
            if (value != null) {
                values.put(key, value);
            }
        }
        if (!unknown.isEmpty()) {
            // Keys are lowercase words and dashes; anything else is most likely a wrapped value, maybe a
            // secret, and is not shown.
            List<String> shown = unknown.stream().map(key -> key.matches("[a-z][a-z.-]{0,30}") ? key
                    : "(a line that is not key=value)").distinct().toList();
            throw new WebhooksExport.UsageException("The profile " + file + " has unknown keys " + shown
                    + "; the keys are " + profileKeys());
        }
        if (values.keySet().stream().anyMatch(Key::secret) && readableByOthers(file)) {
            io.err().println("webhooks-export: warning: the profile " + file + " holds a secret and other users may "
                    + "read it: chmod 600 " + file);
        }
        return values;
    }

    private static boolean readableByOthers(Path file) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException notPosix) {
            return false;
        }
    }

    private static String profileKeys() {
        List<String> keys = new ArrayList<>();
        for (Key key : Key.values()) {
            keys.add(key.profileKey);
        }
        return String.join(", ", keys);
    }

    private static void putIfSet(Map<Key, String> map, Key key, String value) {
        if (blankToNull(value) != null) {
            map.put(key, value);
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
