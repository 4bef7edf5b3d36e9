package io.github.requestmerge.enrich;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.util.EnumMap;
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
 * field's string value. Bad input never throws: it is counted and yields no geo.
 *
 * <p>Thread-safety: safe for concurrent use (the cache is Caffeine, the databases swap atomically).
 */
final class GeoLookup implements Closeable {

    private static final GeoValues NONE = new GeoValues(new EnumMap<>(GeoProperty.class));

    private final GeoDatabase location;
    private final GeoDatabase asn;
    private final Set<GeoProperty> properties;
    private final boolean needsLocation;
    private final boolean needsAsn;
    private final EnrichCounters counters;
    private final Cache<String, Cached> cache;
    private volatile long cacheGeneration;

    private GeoLookup(GeoDatabase location, GeoDatabase asn, Set<GeoProperty> properties, int cacheSize,
                      EnrichCounters counters) {
        this.location = location;
        this.asn = asn;
        this.properties = properties;
        this.needsLocation = properties.stream().anyMatch(p -> !p.fromAsnDatabase());
        this.needsAsn = asn != null && properties.stream().anyMatch(GeoProperty::fromAsnDatabase);
        this.counters = counters;
        this.cache = cacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(cacheSize).build();
        this.cacheGeneration = generation();
    }

    /** Opens the configured databases; failures name the config key and the path. */
    static GeoLookup open(EnrichConfig config, EnrichCounters counters) {
        java.util.List<String> locales = java.util.List.of(config.geoLocale());
        GeoDatabase location = GeoDatabase.open(config.geoDatabasePath(), EnrichConfig.GEOIP_DATABASE_PATH,
            GeoDatabase.Kind.LOCATION, locales, config.geoReloadIntervalMs());
        GeoDatabase asn = null;
        try {
            if (config.asnDatabasePath() != null) {
                asn = GeoDatabase.open(config.asnDatabasePath(), EnrichConfig.GEOIP_ASN_DATABASE_PATH,
                    GeoDatabase.Kind.ASN, locales, config.geoReloadIntervalMs());
            }
        } catch (ConfigException e) {
            location.close();
            throw e;
        }
        return new GeoLookup(location, asn, config.geoProperties(), config.geoCacheSize(), counters);
    }

    /**
     * @param fieldValue the IP address field's value (any type; only strings can match)
     * @return the geo values, or null when the record gets no geo (the reason is counted)
     */
    GeoValues lookup(Object fieldValue) {
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
            result = resolve(text);
        } else {
            long generation = generation();
            if (generation != cacheGeneration) {
                // A database was replaced: everything cached came from the old file.
                cache.invalidateAll();
                cacheGeneration = generation;
            }
            result = cache.getIfPresent(text);
            if (result == null) {
                result = resolve(text);
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

    private Cached resolve(String text) {
        InetAddress address = IpAddresses.parse(text);
        if (address == null) {
            return new Cached(Outcome.INVALID, NONE);
        }
        if (!IpAddresses.isPublic(address)) {
            return new Cached(Outcome.PRIVATE, NONE);
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
            return new Cached(Outcome.ERROR, NONE);
        }
        values.keySet().retainAll(properties);
        return values.isEmpty() ? new Cached(Outcome.NOT_FOUND, NONE) : new Cached(Outcome.ENRICHED, new GeoValues(values));
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

    @Override
    public void close() {
        location.close();
        if (asn != null) {
            asn.close();
        }
    }

    GeoDatabase locationDatabase() {
        return location;
    }

    private static final class Cached {
        final Outcome outcome;
        final GeoValues values;

        Cached(Outcome outcome, GeoValues values) {
            this.outcome = outcome;
            this.values = values;
        }
    }
}
