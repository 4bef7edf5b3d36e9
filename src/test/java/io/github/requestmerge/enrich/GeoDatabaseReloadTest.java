package io.github.requestmerge.enrich;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.requestmerge.enrich.EnrichCounters.Outcome;
import io.github.requestmerge.testing.MmdbWriter;

/** Hot reload of a replaced database file, with small databases of exact, known content. */
class GeoDatabaseReloadTest {

    private static final String IP = "81.2.69.142";

    @TempDir
    Path temp;

    private Enrich<SinkRecord> transform;

    @AfterEach
    void close() {
        if (transform != null) {
            transform.close();
        }
    }

    private static Path cityDatabase(Path file, String countryIso, String countryName) throws IOException {
        new MmdbWriter("GeoLite2-City")
            .languages("en")
            .insert("81.2.69.0/24", Map.of(
                "country", Map.of("iso_code", countryIso, "names", Map.of("en", countryName)),
                "continent", Map.of("code", "EU", "names", Map.of("en", "Europe")),
                "city", Map.of("names", Map.of("en", "Test City " + countryIso)),
                "location", Map.of("latitude", 51.5, "longitude", -0.1, "accuracy_radius", 100)))
            .write(file);
        return file;
    }

    /** Replaces the file the way geoipupdate does: write a temporary file, then rename it over the old one. */
    private static void replaceAtomically(Path source, Path target) throws IOException {
        Path staging = target.resolveSibling(target.getFileName() + ".tmp");
        Files.copy(source, staging, StandardCopyOption.REPLACE_EXISTING);
        Files.move(staging, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private Enrich<SinkRecord> configure(Path database, long reloadMs) {
        Map<String, Object> config = new HashMap<>();
        config.put(EnrichConfig.GEOIP_DATABASE_PATH, database.toString());
        config.put(EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, String.valueOf(reloadMs));
        config.put(EnrichConfig.GEOIP_PROPERTIES, "country_iso_code,city_name");
        config.put(EnrichConfig.USERAGENT_ENABLED, "false");
        transform = new Enrich.Value<>();
        transform.configure(config);
        return transform;
    }

    private String countryOf(Enrich<SinkRecord> enrich, String ip) {
        Object value = enrich.apply(new SinkRecord("t", 0, null, null, null, Map.of("ipaddress", ip), 0)).value();
        Object geo = ((Map<?, ?>) value).get("geo");
        return geo == null ? null : (String) ((Map<?, ?>) geo).get("country_iso_code");
    }

    private String awaitCountry(Enrich<SinkRecord> enrich, String expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String country = countryOf(enrich, IP);
        while (!expected.equals(country) && System.nanoTime() < deadline) {
            Thread.sleep(20);
            country = countryOf(enrich, IP);
        }
        return country;
    }

    @Test
    void replacedDatabaseIsPickedUpWithoutRestart() throws Exception {
        Path live = cityDatabase(temp.resolve("city.mmdb"), "GB", "United Kingdom");
        Path next = cityDatabase(temp.resolve("next.mmdb"), "FR", "France");
        Enrich<SinkRecord> enrich = configure(live, 50);
        assertEquals("GB", countryOf(enrich, IP));

        replaceAtomically(next, live);

        assertEquals("FR", awaitCountry(enrich, "FR"), "lookups switch to the replaced file (cache included)");
        assertEquals(0, enrich.geoLookup().locationDatabase().reloadFailures());
    }

    @Test
    void corruptReplacementKeepsTheOldDatabaseAndIsReportedOnce() throws Exception {
        Path live = cityDatabase(temp.resolve("city.mmdb"), "GB", "United Kingdom");
        Enrich<SinkRecord> enrich = configure(live, 0);
        GeoDatabase database = enrich.geoLookup().locationDatabase();

        Path garbage = Files.write(temp.resolve("garbage"), new byte[4096]);
        replaceAtomically(garbage, live);
        assertFalse(database.checkForUpdate());
        assertFalse(database.checkForUpdate(), "the same bad file is not retried");
        assertEquals(1, database.reloadFailures(), "one failure, reported once");
        assertEquals("GB", countryOf(enrich, IP), "the old database stays in use");

        Path wrongType = temp.resolve("asn.mmdb");
        new MmdbWriter("GeoLite2-ASN").insert("81.2.69.0/24", Map.of("autonomous_system_number", 20712L)).write(wrongType);
        replaceAtomically(wrongType, live);
        assertFalse(database.checkForUpdate(), "a database of the wrong type is refused");
        assertEquals(2, database.reloadFailures());
        assertEquals("GB", countryOf(enrich, IP));

        replaceAtomically(cityDatabase(temp.resolve("fixed.mmdb"), "DE", "Germany"), live);
        assertTrue(database.checkForUpdate(), "a good file after a bad one is loaded");
        assertEquals("DE", countryOf(enrich, IP));
    }

    @Test
    void lookupsInFlightDuringReloadsNeverFail() throws Exception {
        Path live = cityDatabase(temp.resolve("city.mmdb"), "GB", "United Kingdom");
        Path gb = cityDatabase(temp.resolve("gb.mmdb"), "GB", "United Kingdom");
        Path fr = cityDatabase(temp.resolve("fr.mmdb"), "FR", "France");
        Map<String, Object> config = new HashMap<>();
        config.put(EnrichConfig.GEOIP_DATABASE_PATH, live.toString());
        config.put(EnrichConfig.GEOIP_RELOAD_INTERVAL_MS, "0");
        config.put(EnrichConfig.GEOIP_CACHE_SIZE, "0");
        config.put(EnrichConfig.GEOIP_PROPERTIES, "country_iso_code");
        EnrichCounters counters = new EnrichCounters();
        Shared.Lease<GeoLookup> lease = GeoLookup.acquire(new EnrichConfig(config));
        GeoLookup lookup = lease.get();
        ExecutorService readers = Executors.newFixedThreadPool(2);
        AtomicBoolean running = new AtomicBoolean(true);
        CountDownLatch started = new CountDownLatch(2);
        try {
            List<Future<Long>> results = List.of(readers.submit(() -> lookUpUntilStopped(lookup, counters, running, started)),
                readers.submit(() -> lookUpUntilStopped(lookup, counters, running, started)));
            started.await();
            for (int i = 0; i < 40; i++) {
                replaceAtomically(i % 2 == 0 ? fr : gb, live);
                assertTrue(lookup.locationDatabase().checkForUpdate());
            }
            running.set(false);
            long lookups = 0;
            for (Future<Long> result : results) {
                lookups += result.get(30, TimeUnit.SECONDS);
            }
            assertEquals(0, counters.geoCount(Outcome.ERROR), "no lookup failed");
            assertEquals(lookups, counters.geoCount(Outcome.ENRICHED), "every lookup found the address");
        } finally {
            running.set(false);
            readers.shutdownNow();
            lease.close();
        }
    }

    private static long lookUpUntilStopped(GeoLookup lookup, EnrichCounters counters, AtomicBoolean running, CountDownLatch started) {
        started.countDown();
        long count = 0;
        while (running.get()) {
            GeoValues values = lookup.lookup(IP, counters);
            String country = values == null ? null : (String) values.get(GeoProperty.COUNTRY_ISO_CODE);
            if (!"GB".equals(country) && !"FR".equals(country)) {
                throw new AssertionError("unexpected lookup result " + country);
            }
            count++;
        }
        return count;
    }
}
