package io.github.requestmerge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;

/** The test databases are real MaxMind DB files: MaxMind's own reader reads back exactly what was written. */
class MmdbWriterTest {

    @TempDir
    Path temp;

    private static Map<String, Object> city(String iso, String country, String city, double lat, double lon) {
        return Map.of(
            "continent", Map.of("code", "EU", "geoname_id", 6255148L, "names", Map.of("en", "Europe", "de", "Europa")),
            "country", Map.of("iso_code", iso, "geoname_id", 2635167L, "is_in_european_union", false,
                "names", Map.of("en", country)),
            "subdivisions", List.of(Map.of("iso_code", "ENG", "names", Map.of("en", "England"))),
            "city", Map.of("names", Map.of("en", city)),
            "postal", Map.of("code", "EC1A"),
            "location", Map.of("latitude", lat, "longitude", lon, "accuracy_radius", 100, "time_zone", "Europe/London"));
    }

    @Test
    void cityDatabaseReadsBackExactly() throws Exception {
        Path file = temp.resolve("city.mmdb");
        new MmdbWriter("GeoLite2-City").languages("en", "de")
            .insert("81.2.69.0/24", city("GB", "United Kingdom", "London", 51.5142, -0.0931))
            .insert("2001:218::/32", city("JP", "Japan", "Tokyo", 35.6893, 139.6899))
            .write(file);

        try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
            assertEquals("GeoLite2-City", reader.getMetadata().getDatabaseType());
            assertEquals(List.of("en", "de"), reader.getMetadata().getLanguages());
            CityResponse london = reader.city(InetAddress.getByName("81.2.69.142"));
            assertEquals("GB", london.getCountry().getIsoCode());
            assertEquals("United Kingdom", london.getCountry().getName());
            assertEquals("London", london.getCity().getName());
            assertEquals("ENG", london.getMostSpecificSubdivision().getIsoCode());
            assertEquals("England", london.getMostSpecificSubdivision().getName());
            assertEquals("EU", london.getContinent().getCode());
            assertEquals("Europe", london.getContinent().getName());
            assertEquals(51.5142, london.getLocation().getLatitude());
            assertEquals(-0.0931, london.getLocation().getLongitude());
            assertEquals(100, london.getLocation().getAccuracyRadius());
            assertEquals("Europe/London", london.getLocation().getTimeZone());
            assertEquals("EC1A", london.getPostal().getCode());
            assertEquals("81.2.69.0/24", london.getTraits().getNetwork().toString());

            assertEquals("Tokyo", reader.city(InetAddress.getByName("2001:218:1::5")).getCity().getName());
            assertTrue(reader.tryCity(InetAddress.getByName("81.2.70.1")).isEmpty());
            assertTrue(reader.tryCity(InetAddress.getByName("2a00::1")).isEmpty());
        }
    }

    @Test
    void moreSpecificNetworkWinsInsideABroaderOne() throws Exception {
        Path file = temp.resolve("country.mmdb");
        new MmdbWriter("GeoLite2-Country")
            .insert("10.20.0.0/16", Map.of("country", Map.of("iso_code", "DE")))
            .insert("10.20.30.0/24", Map.of("country", Map.of("iso_code", "FR")))
            .write(file);
        try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
            assertEquals("FR", reader.country(InetAddress.getByName("10.20.30.40")).getCountry().getIsoCode());
            assertEquals("DE", reader.country(InetAddress.getByName("10.20.31.40")).getCountry().getIsoCode());
            assertEquals("DE", reader.country(InetAddress.getByName("10.20.0.1")).getCountry().getIsoCode());
            assertTrue(reader.tryCountry(InetAddress.getByName("10.21.0.1")).isEmpty());
        }
    }

    @Test
    void asnDatabaseReadsBackExactly() throws Exception {
        Path file = temp.resolve("asn.mmdb");
        new MmdbWriter("GeoLite2-ASN")
            .insert("1.128.0.0/11", Map.of("autonomous_system_number", 1221L,
                "autonomous_system_organization", "Telstra Pty Ltd"))
            .write(file);
        try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
            AsnResponse asn = reader.asn(InetAddress.getByName("1.128.0.1"));
            assertEquals(1221L, asn.getAutonomousSystemNumber());
            assertEquals("Telstra Pty Ltd", asn.getAutonomousSystemOrganization());
            assertEquals("1.128.0.0/11", asn.getNetwork().toString());
        }
    }

    @Test
    void longStringsAndLargeMapsUseTheLongerSizeEncodings() throws Exception {
        Path file = temp.resolve("sizes.mmdb");
        String longName = "x".repeat(70_000);
        new MmdbWriter("GeoLite2-City")
            .insert("5.6.7.0/24", Map.of("city", Map.of("names", Map.of("en", longName)),
                "country", Map.of("names", Map.of("en", "y".repeat(300)), "iso_code", "ZZ")))
            .write(file);
        try (DatabaseReader reader = new DatabaseReader.Builder(file.toFile()).build()) {
            CityResponse response = reader.city(InetAddress.getByName("5.6.7.8"));
            assertEquals(longName, response.getCity().getName());
            assertEquals("y".repeat(300), response.getCountry().getName());
        }
    }
}
