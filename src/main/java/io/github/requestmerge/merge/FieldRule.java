package io.github.requestmerge.merge;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How one field merges, when configured for its path. Fields without a rule follow the defaults:
 * signed-number strings are deltas, objects merge recursively, anything else replaces.
 */
public enum FieldRule {
    /** Numbers (and delta strings) are added; anything else is a conflict. */
    SUM,
    /** The newest value replaces the old one, even a delta string or an object (no recursion). */
    LAST,
    /** The first value is kept; later ones are ignored. */
    FIRST,
    /** The smallest number or string is kept. */
    MIN,
    /** The largest number or string is kept. */
    MAX,
    /** Values (or array elements) are appended to an array. */
    APPEND,
    /** Like append, but elements already present are not added again. */
    UNION,
    /** The field is never stored. */
    IGNORE;

    /**
     * Parses a rule name case-insensitively; used by config validation and at runtime alike.
     *
     * @throws IllegalArgumentException naming the known rules
     */
    public static FieldRule parse(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown merge rule '" + name.trim() + "'; use one of " + known());
        }
    }

    /** @return the rule names in lower case, for docs and messages */
    public static String known() {
        return Arrays.stream(values()).map(FieldRule::toString).collect(Collectors.joining(", "));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
