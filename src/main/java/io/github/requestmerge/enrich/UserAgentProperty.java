package io.github.requestmerge.enrich;

import java.util.Locale;

/**
 * A field the transform can write into the user-agent object. Names follow Elasticsearch's
 * user_agent ingest processor ({@code os.full}, {@code device.name}, ...), plus the separate
 * {@code major}/{@code minor}/{@code patch} parts that reports often group by.
 */
enum UserAgentProperty {
    NAME("name"),
    VERSION("version"),
    MAJOR("major"),
    MINOR("minor"),
    PATCH("patch"),
    OS_NAME("os.name"),
    OS_VERSION("os.version"),
    OS_FULL("os.full"),
    DEVICE_NAME("device.name"),
    ORIGINAL("original");

    /** Everything but {@code original}, which copies the (personal) user-agent string into the output. */
    static final String DEFAULTS = "name,version,major,minor,patch,os.name,os.version,os.full,device.name";

    private final String path;

    UserAgentProperty(String path) {
        this.path = path;
    }

    /** @return the dotted path in the user-agent object, e.g. {@code os.full} */
    String path() {
        return path;
    }

    /** @return the nested object this field lives in ({@code os}, {@code device}) or null for a top-level field */
    String parent() {
        int dot = path.indexOf('.');
        return dot < 0 ? null : path.substring(0, dot);
    }

    /** @return the field name inside its parent */
    String leaf() {
        return path.substring(path.indexOf('.') + 1);
    }

    /** Parses a property case-insensitively; the config validator uses this same method. */
    static UserAgentProperty parse(String name) {
        String normalized = name.trim().toLowerCase(Locale.ROOT);
        for (UserAgentProperty property : values()) {
            if (property.path.equals(normalized)) {
                return property;
            }
        }
        throw new IllegalArgumentException("unknown user-agent property '" + name.trim() + "'; known: " + known());
    }

    static String known() {
        StringBuilder names = new StringBuilder();
        for (UserAgentProperty property : values()) {
            names.append(names.length() == 0 ? "" : ", ").append(property.path);
        }
        return names.toString();
    }
}
