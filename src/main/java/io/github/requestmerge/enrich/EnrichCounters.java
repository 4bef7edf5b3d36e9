package io.github.requestmerge.enrich;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * Outcome counts of one transform instance. Logged (counts only, never record content) when the
 * transform closes, and read by tests. Thread-safe.
 */
final class EnrichCounters {

    /** What happened to one lookup; each record counts once per enrichment it asks for. */
    enum Outcome {
        /** geo or user-agent fields were added */
        ENRICHED,
        /** the source field is absent or null */
        MISSING,
        /** the source field is not a string, or not an IP address literal */
        INVALID,
        /** a private, loopback, link-local or otherwise non-public address */
        PRIVATE,
        /** a public address the database knows nothing about */
        NOT_FOUND,
        /** the database failed to read (corrupt data); the record passes without geo */
        ERROR,
        /** the user agent was longer than useragent.max.length and was truncated before parsing */
        TRUNCATED
    }

    private final Map<String, LongAdder> counts = new LinkedHashMap<>();

    EnrichCounters() {
        for (String prefix : new String[] {"geo", "useragent"}) {
            for (Outcome outcome : Outcome.values()) {
                counts.put(key(prefix, outcome), new LongAdder());
            }
        }
    }

    void geo(Outcome outcome) {
        counts.get(key("geo", outcome)).increment();
    }

    void userAgent(Outcome outcome) {
        counts.get(key("useragent", outcome)).increment();
    }

    long geoCount(Outcome outcome) {
        return counts.get(key("geo", outcome)).sum();
    }

    long userAgentCount(Outcome outcome) {
        return counts.get(key("useragent", outcome)).sum();
    }

    /** @return non-zero counts, e.g. {@code {geo.enriched=10, geo.private=2}} */
    Map<String, Long> snapshot() {
        Map<String, Long> snapshot = new LinkedHashMap<>();
        counts.forEach((name, count) -> {
            long value = count.sum();
            if (value != 0) {
                snapshot.put(name, value);
            }
        });
        return snapshot;
    }

    private static String key(String prefix, Outcome outcome) {
        return prefix + "." + outcome.name().toLowerCase(Locale.ROOT);
    }
}
