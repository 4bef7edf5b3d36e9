package io.github.requestmerge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/** The plugin version, read from a resource the build filters, so it always matches the artifact. */
public final class Version {

    private static final String VERSION = load();

    private Version() {
    }

    /** @return the version of this plugin, e.g. {@code 0.1.0} */
    public static String get() {
        return VERSION;
    }

    private static String load() {
        try (InputStream in = Version.class.getResourceAsStream("/kafka-connect-request-merge.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty("version", "unknown").trim();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the plugin version resource", e);
        }
    }
}
