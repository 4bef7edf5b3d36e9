package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.maxmind.db.ClosedDatabaseException;

import io.github.requestmerge.testing.MmdbWriter;

/** One reader, parser and cache per worker JVM, shared by the transform instances configured alike. */
class EnrichSharingTest {

    private static final String IP = "81.2.69.142";
    private static final String FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

    @TempDir
    Path temp;

    private final List<Enrich<SinkRecord>> transforms = new ArrayList<>();

    @AfterEach
    void closeAll() {
        transforms.forEach(Enrich::close);
    }

    private static Path cityDatabase(Path file, String countryIso) throws IOException {
        new MmdbWriter("GeoLite2-City")
            .languages("en")
            .insert("81.2.69.0/24", Map.of(
                "country", Map.of("iso_code", countryIso, "names", Map.of("en", "Country " + countryIso)),
                "continent", Map.of("code", "EU", "names", Map.of("en", "Europe"))))
            .write(file);
        return file;
    }

    private static void replaceAtomically(Path source, Path target) throws IOException {
        Path staging = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(source, staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Enrich<SinkRecord> configure(Path database, String... more) {
        Map<String, Object> config = new HashMap<>();
        config.put(EnrichConfig.GEOIP_DATABASE_PATH, database.toString());
        config.put(EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, "0");
        config.put(EnrichConfig.GEOIP_PROPERTIES, "country_iso_code");
        for (int i = 0; i < more.length; i += 2) {
            config.put(more[i], more[i + 1]);
        }
        Enrich<SinkRecord> transform = new Enrich.Value<>();
        transform.configure(config);
        transforms.add(transform);
        return transform;
    }

    private static String countryOf(Enrich<SinkRecord> enrich) {
        Object value = enrich.apply(new SinkRecord("t", 0, null, null, null, Map.of("ipaddress", IP), 0)).value();
        Object geo = ((Map<?, ?>) value).get("geo");
        return geo == null ? null : (String) ((Map<?, ?>) geo).get("country_iso_code");
    }

    private static GeoDatabase database(Enrich<SinkRecord> enrich) {
        return enrich.geoLookup().locationDatabase();
    }

    @Test
    void instancesConfiguredAlikeShareOneReaderParserAndCache() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        long databasesBefore = GeoDatabase.shared().opened();
        long parsersBefore = UserAgentCache.parsers().opened();

        Enrich<SinkRecord> first = configure(city);
        Enrich<SinkRecord> second = configure(city);

        assertSame(first.geoLookup(), second.geoLookup(), "one geo lookup, so one result cache");
        assertSame(database(first).reader(), database(second).reader());
        assertSame(first.userAgentCache(), second.userAgentCache());
        assertEquals(1, GeoDatabase.shared().opened() - databasesBefore, "the database was opened once");
        assertTrue(UserAgentCache.parsers().opened() - parsersBefore <= 1, "the bundled regexes were compiled at most once");
        assertEquals("GB", countryOf(first));
        assertEquals("GB", countryOf(second));
        assertEquals(1, first.counters().geoCount(EnrichCounters.Outcome.ENRICHED), "outcome counts stay per instance");
    }

    @Test
    void instancesDifferingOnlyInTruncationShareTheUserAgentCache() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> first = configure(city, EnrichConfig.USERAGENT_MAX_LENGTH, "100");
        Enrich<SinkRecord> second = configure(city, EnrichConfig.USERAGENT_MAX_LENGTH, "200");
        assertSame(first.userAgentCache(), second.userAgentCache());
    }

    @Test
    void differentDatabaseFilesGetTheirOwnReaders() throws IOException {
        Enrich<SinkRecord> gb = configure(cityDatabase(temp.resolve("gb.mmdb"), "GB"));
        Enrich<SinkRecord> fr = configure(cityDatabase(temp.resolve("fr.mmdb"), "FR"));
        assertNotSame(database(gb), database(fr));
        assertEquals("GB", countryOf(gb));
        assertEquals("FR", countryOf(fr));
    }

    @Test
    void otherPropertiesShareTheReaderButNotTheResultCache() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> narrow = configure(city);
        Enrich<SinkRecord> wide = configure(city, EnrichConfig.GEOIP_PROPERTIES, "country_iso_code,continent_code");
        assertNotSame(narrow.geoLookup(), wide.geoLookup(), "cached results hold only the configured properties");
        assertSame(database(narrow), database(wide));
    }

    @Test
    void otherLocalesGetTheirOwnReaders() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> english = configure(city);
        Enrich<SinkRecord> german = configure(city, EnrichConfig.GEOIP_LOCALE, "de");
        assertNotSame(database(english), database(german), "a reader's names are in its locales");
    }

    @Test
    void theLastReleaseClosesTheReaderAndNoEarlierOne() throws Exception {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> first = configure(city);
        Enrich<SinkRecord> second = configure(city);
        GeoDatabase database = database(first);
        int registered = GeoDatabase.shared().size();

        first.close();
        assertEquals("GB", countryOf(second), "the other instance keeps looking up");
        assertEquals(registered, GeoDatabase.shared().size());

        second.close();
        assertEquals(registered - 1, GeoDatabase.shared().size());
        assertThrows(ClosedDatabaseException.class, () -> database.reader().country(java.net.InetAddress.getByName(IP)));

        Enrich<SinkRecord> third = configure(city);
        assertNotSame(database, database(third), "a new instance opens the file again");
        assertEquals("GB", countryOf(third));
    }

    @Test
    void closingTwiceReleasesOnce() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> first = configure(city);
        Enrich<SinkRecord> second = configure(city);
        first.close();
        first.close();
        assertEquals("GB", countryOf(second));
    }

    @Test
    void aReplacedFileGivesNewInstancesANewReaderWhileOldOnesKeepTheirs() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        Enrich<SinkRecord> old = configure(city);

        replaceAtomically(cityDatabase(temp.resolve("fr.mmdb"), "FR"), city);
        Enrich<SinkRecord> renewed = configure(city);

        assertNotSame(database(old), database(renewed));
        assertEquals("GB", countryOf(old), "with reloading off, the old instance keeps the file it opened");
        assertEquals("FR", countryOf(renewed));
        assertSame(database(renewed), database(configure(city)), "later instances share the new reader");

        GeoDatabase oldDatabase = database(old);
        old.close();
        assertThrows(ClosedDatabaseException.class,
            () -> oldDatabase.reader().country(java.net.InetAddress.getByName(IP)), "closed with its last holder");
        assertEquals("FR", countryOf(renewed));
    }

    @Test
    void withReloadingOnANewInstanceSwitchesEveryoneToTheReplacedFile() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        // An interval long enough that only the acquire checks the file.
        Enrich<SinkRecord> old = configure(city, EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, "3600000");
        assertEquals("GB", countryOf(old));

        replaceAtomically(cityDatabase(temp.resolve("fr.mmdb"), "FR"), city);
        Enrich<SinkRecord> renewed = configure(city, EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, "3600000");

        assertSame(database(old), database(renewed));
        assertEquals("FR", countryOf(renewed));
        assertEquals("FR", countryOf(old), "the shared database reloaded for all, cached results included");
    }

    @Test
    void aReplacedRegexesFileGivesNewInstancesANewParser() throws IOException {
        Path regexes = temp.resolve("regexes.yaml");
        Files.writeString(regexes, regexes("Acme"));
        Enrich<SinkRecord> old = userAgentOnly(regexes);
        assertSame(old.userAgentCache(), userAgentOnly(regexes).userAgentCache());

        Path next = Files.writeString(temp.resolve("next.yaml"), regexes("Zeta"));
        replaceAtomically(next, regexes);
        Enrich<SinkRecord> renewed = userAgentOnly(regexes);

        assertNotSame(old.userAgentCache().parser(), renewed.userAgentCache().parser());
        assertEquals("Acme", userAgentName(old));
        assertEquals("Zeta", userAgentName(renewed));
    }

    private static String regexes(String name) {
        return String.join("\n", "user_agent_parsers:", "  - regex: 'Firefox'", "    family_replacement: '" + name + "'",
            "os_parsers: []", "device_parsers: []", "");
    }

    private Enrich<SinkRecord> userAgentOnly(Path regexes) {
        Enrich<SinkRecord> transform = new Enrich.Value<>();
        transform.configure(Map.of(EnrichConfig.GEOIP_ENABLED, "false",
            EnrichConfig.USERAGENT_REGEXES_PATH, regexes.toString()));
        transforms.add(transform);
        return transform;
    }

    private static String userAgentName(Enrich<SinkRecord> enrich) {
        Object value = enrich.apply(new SinkRecord("t", 0, null, null, null, Map.of("useragent", FIREFOX), 0)).value();
        return (String) ((Map<?, ?>) ((Map<?, ?>) value).get("UA")).get("name");
    }

    @Test
    void aFailedConfigureHoldsNothing() throws IOException {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        int databases = GeoDatabase.shared().size();
        Enrich<SinkRecord> transform = new Enrich.Value<>();
        assertThrows(ConfigException.class, () -> transform.configure(Map.of(
            EnrichConfig.GEOIP_DATABASE_PATH, city.toString(),
            EnrichConfig.USERAGENT_REGEXES_PATH, temp.resolve("missing.yaml").toString())));
        assertEquals(databases, GeoDatabase.shared().size(), "the geo lease taken before the failure was released");
        transform.close();
    }

    @Test
    void concurrentConfigureAndCloseStayConsistent() throws Exception {
        Path city = cityDatabase(temp.resolve("city.mmdb"), "GB");
        int databases = GeoDatabase.shared().size();
        int lookups = GeoLookup.shared().size();
        ExecutorService tasks = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(tasks.submit(() -> {
                    start.await();
                    int found = 0;
                    for (int i = 0; i < 200; i++) {
                        Enrich<SinkRecord> transform = new Enrich.Value<>();
                        transform.configure(Map.of(EnrichConfig.GEOIP_DATABASE_PATH, city.toString(),
                            EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, "0", EnrichConfig.USERAGENT_ENABLED, "false"));
                        found += "GB".equals(countryOf(transform)) ? 1 : 0;
                        transform.close();
                    }
                    return found;
                }));
            }
            start.countDown();
            for (Future<Integer> result : results) {
                assertEquals(200, result.get(60, TimeUnit.SECONDS), "every lookup used an open reader");
            }
        } finally {
            tasks.shutdownNow();
        }
        assertEquals(databases, GeoDatabase.shared().size(), "everything released is unregistered");
        assertEquals(lookups, GeoLookup.shared().size());
    }

    @Test
    void aSharedValueIsNeverHandedOutClosedAndIsClosedOnceByItsLastHolder() throws Exception {
        AtomicInteger opened = new AtomicInteger();
        Map<Resource, Boolean> closed = new ConcurrentHashMap<>();
        Shared<String, Resource> shared = new Shared<>(key -> {
            opened.incrementAndGet();
            return new Resource();
        }, resource -> true, resource -> {
            assertFalse(resource.closed, "closed once");
            resource.closed = true;
            closed.put(resource, true);
        });
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String key = t % 2 == 0 ? "a" : "b";
                results.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 10_000; i++) {
                        try (Shared.Lease<Resource> outer = shared.acquire(key);
                             Shared.Lease<Resource> inner = shared.acquire(key)) {
                            assertSame(outer.get(), inner.get());
                            assertFalse(outer.get().closed, "a value in use is open");
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(0, shared.size());
        assertEquals(opened.get(), closed.size(), "every value opened was closed");
        assertEquals(opened.get(), shared.opened());
    }

    @Test
    void aValueThatFailsToOpenIsNotRegistered() {
        AtomicInteger attempts = new AtomicInteger();
        Shared<String, Resource> shared = new Shared<>(key -> {
            if (attempts.incrementAndGet() == 1) {
                throw new ConfigException("k", key, "broken");
            }
            return new Resource();
        }, resource -> true, resource -> resource.closed = true);
        assertThrows(ConfigException.class, () -> shared.acquire("a"));
        assertEquals(0, shared.size());
        try (Shared.Lease<Resource> lease = shared.acquire("a")) {
            assertFalse(lease.get().closed, "the next acquirer tries again");
        }
    }

    private static final class Resource {
        volatile boolean closed;
    }
}
