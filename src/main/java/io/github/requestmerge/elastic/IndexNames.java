package io.github.requestmerge.elastic;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The target index of a topic: a fixed name, or a pattern with {@code ${topic}} replaced by the
 * (lower-cased) topic name. Immutable and thread-safe.
 */
public final class IndexNames {

    public static final String TOPIC = "${topic}";

    private final String pattern;
    private final ConcurrentMap<String, String> byTopic = new ConcurrentHashMap<>();

    private IndexNames(String pattern) {
        this.pattern = pattern;
    }

    /**
     * @throws IllegalArgumentException when the pattern cannot give a valid Elasticsearch index name
     */
    public static IndexNames parse(String pattern) {
        String trimmed = pattern == null ? "" : pattern.trim();
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("must name an index, e.g. requests or requests-${topic}");
        }
        check(trimmed.replace(TOPIC, "topic"));
        return new IndexNames(trimmed);
    }

    /** @return the index for a topic */
    public String forTopic(String topic) {
        return byTopic.computeIfAbsent(topic, t -> {
            String name = pattern.replace(TOPIC, t.toLowerCase(Locale.ROOT));
            check(name);
            return name;
        });
    }

    /** @return the index pattern an index template must match: {@code ${topic}} becomes {@code *} */
    public String templatePattern() {
        return pattern.replace(TOPIC, "*");
    }

    /** @return true when every topic writes to the same index */
    public boolean isFixed() {
        return !pattern.contains(TOPIC);
    }

    private static void check(String name) {
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("index names must be lower case: '" + name + "'");
        }
        if (name.startsWith("-") || name.startsWith("_") || name.startsWith("+") || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("index names cannot start with -, _ or + or be . or ..: '" + name + "'");
        }
        for (char c : "\\/*?\"<>| ,#:".toCharArray()) {
            if (name.indexOf(c) >= 0) {
                throw new IllegalArgumentException("index names cannot contain '" + c + "': '" + name + "'");
            }
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw new IllegalArgumentException("index names are at most 255 bytes: '" + name + "'");
        }
    }
}
