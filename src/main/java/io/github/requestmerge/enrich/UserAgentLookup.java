package io.github.requestmerge.enrich;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

import org.apache.kafka.common.config.ConfigException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.requestmerge.enrich.EnrichCounters.Outcome;
import ua_parser.Client;

/**
 * Turns the value of a user-agent field into user-agent values: truncate to the configured
 * length (which bounds the cost of one record), look up a bounded Caffeine cache, and on a miss
 * parse with {@link PrefilteredUserAgentParser}, whose output equals uap-java's {@code Parser}.
 *
 * <p>Thread-safety: safe for concurrent use (uap-java's own CachingParser is not).
 */
final class UserAgentLookup {

    private final Function<String, Client> parser;
    private final int maxLength;
    private final Cache<String, UserAgentValues> cache;
    private final EnrichCounters counters;

    /** @param parser a thread-safe parser; the benchmark passes uap-java's own to compare */
    UserAgentLookup(Function<String, Client> parser, int maxLength, int cacheSize, EnrichCounters counters) {
        this.parser = parser;
        this.maxLength = maxLength;
        this.cache = cacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize).build();
        this.counters = counters;
    }

    /** Builds the parser from the configured regexes file (or uap-java's bundled one). */
    static UserAgentLookup open(EnrichConfig config, EnrichCounters counters) {
        return new UserAgentLookup(loadParser(config.userAgentRegexesPath())::parse, config.userAgentMaxLength(),
            config.userAgentCacheSize(), counters);
    }

    static PrefilteredUserAgentParser loadParser(Path regexes) {
        if (regexes == null) {
            return PrefilteredUserAgentParser.bundled();
        }
        try (InputStream in = Files.newInputStream(regexes)) {
            return PrefilteredUserAgentParser.fromYaml(in);
        } catch (NoSuchFileException e) {
            throw new ConfigException(EnrichConfig.USERAGENT_REGEXES_PATH, regexes.toString(), "no such file");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(EnrichConfig.USERAGENT_REGEXES_PATH, regexes.toString(),
                "cannot load as a uap-core regexes.yaml: " + e.getMessage());
        }
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
        UserAgentValues values = cache == null ? parse(userAgent) : cache.get(userAgent, this::parse);
        counters.userAgent(Outcome.ENRICHED);
        return values;
    }

    private UserAgentValues parse(String userAgent) {
        Client client = parser.apply(userAgent);
        return UserAgentValues.of(client);
    }
}
