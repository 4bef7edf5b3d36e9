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

import ua_parser.Client;

/**
 * Parsed user agents: a bounded Caffeine cache in front of a {@link PrefilteredUserAgentParser},
 * whose output equals uap-java's {@code Parser}.
 *
 * <p>One parser per regexes file, and one cache per regexes file and cache size, is shared by
 * every transform instance of the worker ({@link #acquire}; see {@link Shared}): the compiled
 * regexes and a full cache are the largest part of the transform's memory, and a user agent
 * parsed for one task is then a hit for all. The regexes file is read once; an instance configured
 * after it was replaced on disk gets a parser of the new file, while the instances that hold the
 * old one keep it until they close.
 *
 * <p>Thread-safety: safe for concurrent use (the parser is immutable, the cache is Caffeine;
 * uap-java's own CachingParser is not).
 */
final class UserAgentCache {

    /** The parsers loaded in this worker (one plugin class loader; see {@link Shared}). */
    private static final Shared<Regexes, LoadedParser> PARSERS =
        new Shared<>(LoadedParser::load, LoadedParser::isShareable, parser -> { });

    /** The caches of this worker, each holding a lease on its parser. */
    private static final Shared<Key, UserAgentCache> SHARED =
        new Shared<>(UserAgentCache::open, cache -> cache.parserLease.get().isShareable(), UserAgentCache::close);

    private final Shared.Lease<LoadedParser> parserLease;
    private final Function<String, Client> parser;
    private final Cache<String, UserAgentValues> cache;

    /** A regexes file, made absolute; a null path stands for the regexes bundled with uap-java. */
    record Regexes(Path path) {
        Regexes {
            path = path == null ? null : path.toAbsolutePath().normalize();
        }
    }

    /** What makes two configurations' caches interchangeable (the truncation length is applied before). */
    record Key(Regexes regexes, int cacheSize) {
        static Key of(EnrichConfig config) {
            return new Key(new Regexes(config.userAgentRegexesPath()), config.userAgentCacheSize());
        }
    }

    private UserAgentCache(Shared.Lease<LoadedParser> parserLease, Function<String, Client> parser, int cacheSize) {
        this.parserLease = parserLease;
        this.parser = parser;
        this.cache = cacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    /**
     * @return a lease on the worker's cache for this configuration, loading the regexes if no
     *     current parser of them is loaded; close it when done
     * @throws ConfigException naming useragent.regexes.path when the file cannot be loaded
     */
    static Shared.Lease<UserAgentCache> acquire(EnrichConfig config) {
        return SHARED.acquire(Key.of(config));
    }

    /** @return a cache of its own in front of {@code parser} (a thread-safe one), for the benchmark that compares parsers */
    static UserAgentCache unshared(Function<String, Client> parser, int cacheSize) {
        return new UserAgentCache(null, parser, cacheSize);
    }

    static Shared<Key, UserAgentCache> shared() {
        return SHARED;
    }

    static Shared<Regexes, LoadedParser> parsers() {
        return PARSERS;
    }

    private static UserAgentCache open(Key key) {
        Shared.Lease<LoadedParser> lease = PARSERS.acquire(key.regexes());
        return new UserAgentCache(lease, lease.get().parser()::parse, key.cacheSize());
    }

    /** @return the values of a user agent (already truncated), from the cache or parsed now */
    UserAgentValues get(String userAgent) {
        return cache == null ? parse(userAgent) : cache.get(userAgent, this::parse);
    }

    private UserAgentValues parse(String userAgent) {
        return UserAgentValues.of(parser.apply(userAgent));
    }

    PrefilteredUserAgentParser parser() {
        return parserLease == null ? null : parserLease.get().parser();
    }

    /** Releases the parser; called once, by the last lease's release. */
    private void close() {
        if (parserLease != null) {
            parserLease.close();
        }
    }

    /** A parser and the version of the file it was loaded from (null for the bundled regexes). */
    record LoadedParser(PrefilteredUserAgentParser parser, Path path, FileSignature signature) {

        static LoadedParser load(Regexes regexes) {
            Path path = regexes.path();
            if (path == null) {
                return new LoadedParser(PrefilteredUserAgentParser.bundled(), null, null);
            }
            try {
                // Taken before reading, so a replacement while reading is seen by the next acquirer.
                FileSignature signature = FileSignature.of(path);
                try (InputStream in = Files.newInputStream(path)) {
                    return new LoadedParser(PrefilteredUserAgentParser.fromYaml(in), path, signature);
                }
            } catch (NoSuchFileException e) {
                throw new ConfigException(EnrichConfig.USERAGENT_REGEXES_PATH, path.toString(), "no such file");
            } catch (IOException | RuntimeException e) {
                throw new ConfigException(EnrichConfig.USERAGENT_REGEXES_PATH, path.toString(),
                    "cannot load as a uap-core regexes.yaml: " + e.getMessage());
            }
        }

        boolean isShareable() {
            return path == null || signature.matches(path);
        }
    }
}
