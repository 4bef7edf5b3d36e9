package io.github.requestmerge.enrich;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.apache.kafka.common.config.ConfigException;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.GeoIp2Exception;
import com.maxmind.geoip2.model.AbstractCountryResponse;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.record.Location;
import com.maxmind.geoip2.record.Subdivision;

import io.github.requestmerge.enrich.EnrichCounters.Outcome;

/**
 * Turns the value of an IP address field into geo values, with a bounded cache of results by the
 * field's string value. Bad input never throws: it is counted (in the caller's counters) and
 * yields no geo.
 *
 * <p>One instance per worker is shared by every transform instance configured with the same
 * databases, properties and cache size ({@link #acquire}; see {@link Shared}), so they share the
 * databases' readers and one cache.
 *
 * <p>Thread-safety: safe for concurrent use (the cache is Caffeine, the databases swap
 * atomically, and a cached result is used only while the databases are the ones it came from).
 */
final class GeoLookup implements Closeable {

    private static final GeoValues NONE = new GeoValues(new EnumMap<>(GeoProperty.class));

    /** The lookups open in this worker (one plugin class loader; see {@link Shared}). */
    private static final Shared<Key, GeoLookup> SHARED =
        new Shared<>(GeoLookup::open, GeoLookup::current, GeoLookup::close);

    private final Shared.Lease<GeoDatabase> locationLease;
    private final Shared.Lease<GeoDatabase> asnLease;
    private final GeoDatabase location;
    private final GeoDatabase asn;
    private final Set<GeoProperty> properties;
    private final boolean needsLocation;
    private final boolean needsAsn;
    private final Cache<String, Cached> cache;

    /** What makes two configurations' lookups interchangeable; {@code asn} is null without an ASN database. */
    record Key(GeoDatabase.Key location, GeoDatabase.Key asn, Set<GeoProperty> properties, int cacheSize) {
        Key {
            properties = Set.copyOf(properties);
        }

        static Key of(EnrichConfig config) {
            List<String> locales = List.of(config.geoLocale());
            long reloadMs = config.geoReloadIntervalMs();
            GeoDatabase.Key location =
                new GeoDatabase.Key(config.geoDatabasePath(), GeoDatabase.Kind.LOCATION, locales, reloadMs);
            GeoDatabase.Key asn = config.asnDatabasePath() == null ? null
                : new GeoDatabase.Key(config.asnDatabasePath(), GeoDatabase.Kind.ASN, locales, reloadMs);
            return new Key(location, asn, config.geoProperties(), config.geoCacheSize());
        }
    }

    private GeoLookup(Shared.Lease<GeoDatabase> locationLease, Shared.Lease<GeoDatabase> asnLease,
                      Set<GeoProperty> properties, int cacheSize) {
        this.locationLease = locationLease;
        this.asnLease = asnLease;
        this.location = locationLease.get();
        this.asn = asnLease == null ? null : asnLease.get();
        this.properties = properties;
        this.needsLocation = properties.stream().anyMatch(p -> !p.fromAsnDatabase());
        this.needsAsn = asn != null && properties.stream().anyMatch(GeoProperty::fromAsnDatabase);
        this.cache = cacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize).build();
    }

    /**
     * @return a lease on the worker's lookup for this configuration, opening the databases if no
     *     current one is open; close it when done
     * @throws ConfigException naming the config key and the path of a database that cannot be opened
     */
    static Shared.Lease<GeoLookup> acquire(EnrichConfig config) {
        return SHARED.acquire(Key.of(config));
    }

    static Shared<Key, GeoLookup> shared() {
        return SHARED;
    }

    private static GeoLookup open(Key key) {
        Shared.Lease<GeoDatabase> location = GeoDatabase.acquire(key.location());
        Shared.Lease<GeoDatabase> asn = null;
        try {
            if (key.asn() != null) {
                asn = GeoDatabase.acquire(key.asn());
            }
        } catch (ConfigException e) {
            location.close();
            throw e;
        }
        return new GeoLookup(location, asn, key.properties(), key.cacheSize());
    }

    /** @return whether the databases are still the current ones for new acquirers */
    private boolean current() {
        return location.isShareable() && (asn == null || asn.isShareable());
    }

    /**
     * @param fieldValue the IP address field's value (any type; only strings can match)
     * @param counters where the outcome is counted (the calling transform instance's)
     * @return the geo values, or null when the record gets no geo (the reason is counted)
     */
    GeoValues lookup(Object fieldValue, EnrichCounters counters) {
        if (fieldValue == null) {
            counters.geo(Outcome.MISSING);
            return null;
        }
        if (!(fieldValue instanceof String)) {
            counters.geo(Outcome.INVALID);
            return null;
        }
        String text = (String) fieldValue;
        Cached result;
        if (cache == null) {
            result = resolve(text, 0);
        } else {
            // Read before the readers: a result is then never tagged newer than the database it came from.
            long generation = generation();
            result = cache.getIfPresent(text);
            if (result == null || result.generation != generation) {
                // Absent, or from a database replaced since (the cache is shared, so it is not cleared).
                result = resolve(text, generation);
                if (result.outcome != Outcome.ERROR) {
                    cache.put(text, result);
                }
            }
        }
        counters.geo(result.outcome);
        return result.outcome == Outcome.ENRICHED ? result.values : null;
    }

    private long generation() {
        return location.generation() + (asn == null ? 0 : asn.generation());
    }

    private Cached resolve(String text, long generation) {
        InetAddress address = IpAddresses.parse(text);
        if (address == null) {
            return new Cached(Outcome.INVALID, NONE, generation);
        }
        if (!IpAddresses.isPublic(address)) {
            return new Cached(Outcome.PRIVATE, NONE, generation);
        }
        Map<GeoProperty, Object> values = new EnumMap<>(GeoProperty.class);
        try {
            if (needsLocation) {
                addLocation(location.reader(), address, values);
            }
            if (needsAsn) {
                addAsn(asn.reader(), address, values);
            }
        } catch (IOException | GeoIp2Exception | RuntimeException e) {
            // Corrupt data in the file; bad data must never fail the task, and is counted.
            return new Cached(Outcome.ERROR, NONE, generation);
        }
        values.keySet().retainAll(properties);
        return values.isEmpty() ? new Cached(Outcome.NOT_FOUND, NONE, generation)
            : new Cached(Outcome.ENRICHED, new GeoValues(values), generation);
    }

    private static void addLocation(DatabaseReader reader, InetAddress address, Map<GeoProperty, Object> values)
        throws IOException, GeoIp2Exception {
        String type = reader.getMetadata().getDatabaseType();
        Optional<? extends AbstractCountryResponse> found =
            type.contains("City") ? reader.tryCity(address) : reader.tryCountry(address);
        if (found.isEmpty()) {
            return;
        }
        AbstractCountryResponse response = found.get();
        put(values, GeoProperty.CONTINENT_CODE, response.getContinent().getCode());
        put(values, GeoProperty.CONTINENT_NAME, response.getContinent().getName());
        String countryIso = response.getCountry().getIsoCode();
        put(values, GeoProperty.COUNTRY_ISO_CODE, countryIso);
        put(values, GeoProperty.COUNTRY_NAME, response.getCountry().getName());
        if (countryIso != null) {
            put(values, GeoProperty.COUNTRY_IN_EUROPEAN_UNION, response.getCountry().isInEuropeanUnion());
        }
        if (response instanceof CityResponse) {
            CityResponse city = (CityResponse) response;
            Subdivision region = city.getMostSpecificSubdivision();
            if (countryIso != null && region.getIsoCode() != null) {
                put(values, GeoProperty.REGION_ISO_CODE, countryIso + "-" + region.getIsoCode());
            }
            put(values, GeoProperty.REGION_NAME, region.getName());
            put(values, GeoProperty.CITY_NAME, city.getCity().getName());
            put(values, GeoProperty.POSTAL_CODE, city.getPostal().getCode());
            Location location = city.getLocation();
            if (location.getLatitude() != null && location.getLongitude() != null) {
                values.put(GeoProperty.LOCATION, new double[] {location.getLatitude(), location.getLongitude()});
            }
            put(values, GeoProperty.TIMEZONE, location.getTimeZone());
            put(values, GeoProperty.ACCURACY_RADIUS, location.getAccuracyRadius());
        }
    }

    private static void addAsn(DatabaseReader reader, InetAddress address, Map<GeoProperty, Object> values)
        throws IOException, GeoIp2Exception {
        Optional<AsnResponse> found = reader.tryAsn(address);
        if (found.isEmpty()) {
            return;
        }
        AsnResponse response = found.get();
        put(values, GeoProperty.ASN, response.getAutonomousSystemNumber());
        put(values, GeoProperty.ORGANIZATION_NAME, response.getAutonomousSystemOrganization());
        if (response.getNetwork() != null) {
            values.put(GeoProperty.NETWORK, response.getNetwork().toString());
        }
    }

    private static void put(Map<GeoProperty, Object> values, GeoProperty property, Object value) {
        if (value != null) {
            values.put(property, value);
        }
    }

    /** Releases the databases; called once, by the last lease's release. */
    @Override
    public void close() {
        locationLease.close();
        if (asnLease != null) {
            asnLease.close();
        }
    }

    GeoDatabase locationDatabase() {
        return location;
    }

    private static final class Cached {
        final Outcome outcome;
        final GeoValues values;
        final long generation;

        Cached(Outcome outcome, GeoValues values, long generation) {
            this.outcome = outcome;
            this.values = values;
            this.generation = generation;
        }
    }
}
