package io.github.requestmerge.enrich;

import io.github.requestmerge.enrich.EnrichCounters.Outcome;

/**
 * Turns the value of a user-agent field into user-agent values for one transform instance:
 * truncate to the configured length (which bounds the cost of one record), then look it up in the
 * worker's shared {@link UserAgentCache}, counting the outcome in this instance's counters.
 *
 * <p>Thread-safety: safe for concurrent use.
 */
final class UserAgentLookup {

    private final UserAgentCache values;
    private final int maxLength;
    private final EnrichCounters counters;

    UserAgentLookup(UserAgentCache values, int maxLength, EnrichCounters counters) {
        this.values = values;
        this.maxLength = maxLength;
        this.counters = counters;
    }

    /**
     * @param fieldValue the user-agent field's value (any type; only non-blank strings are parsed)
     * @return the parsed values, or null when the record gets no user-agent fields (the reason is counted)
     */
    UserAgentValues lookup(Object fieldValue) {
        if (fieldValue == null) {
            counters.userAgent(Outcome.MISSING);
            return null;
        }
        if (!(fieldValue instanceof String) || ((String) fieldValue).isBlank()) {
            counters.userAgent(Outcome.INVALID);
            return null;
        }
        String userAgent = (String) fieldValue;
        if (userAgent.length() > maxLength) {
            counters.userAgent(Outcome.TRUNCATED);
            userAgent = userAgent.substring(0, maxLength);
        }
        UserAgentValues found = values.get(userAgent);
        counters.userAgent(Outcome.ENRICHED);
        return found;
    }
}
