package io.github.requestmerge.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.math.BigInteger;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;
import com.maxmind.geoip2.exception.AddressNotFoundException;
import com.maxmind.geoip2.model.AsnResponse;
import com.maxmind.geoip2.model.CityResponse;
import com.maxmind.geoip2.model.CountryResponse;

/** The test databases are real MaxMind DB files: MaxMind's own readers read back exactly what was written. */
class MmdbWriterTest {

    @TempDir
    Path temp;

    private static InetAddress ip(String literal) throws IOException {
        return InetAddress.getByName(literal); // literals only: no DNS
    }

    private static DatabaseReader open(Path file) throws IOException {
        return new DatabaseReader.Builder(file.toFile()).build();
    }

    private static Map<String, Object> london() {
        return Map.of(
            "continent", Map.of("code", "EU", "geoname_id", 6255148L, "names", Map.of("en", "Europe", "de", "Europa")),
            "country", Map.of("iso_code", "GB", "geoname_id", 2635167L, "is_in_european_union", false,
                "names", Map.of("en", "United Kingdom", "de", "Vereinigtes Königreich")),
            "registered_country", Map.of("iso_code", "GB", "geoname_id", 2635167L, "names", Map.of("en", "United Kingdom")),
            "subdivisions", List.of(
                Map.of("iso_code", "ENG", "geoname_id", 6269131L, "names", Map.of("en", "England")),
                Map.of("iso_code", "IS", "names", Map.of("en", "Islington"))),
            "city", Map.of("geoname_id", 2643743L, "names", Map.of("en", "London", "de", "London")),
            "postal", Map.of("code", "EC1A"),
            "location", Map.of("latitude", 51.5142, "longitude", -0.0931, "accuracy_radius", 100,
                "time_zone", "Europe/London"));
    }

    private static Map<String, Object> tokyo() {
        return Map.of(
            "continent", Map.of("code", "AS", "names", Map.of("en", "Asia")),
            "country", Map.of("iso_code", "JP", "names", Map.of("en", "Japan", "ja", "日本")),
            "subdivisions", List.of(Map.of("iso_code", "13", "names", Map.of("en", "Tokyo", "ja", "東京都"))),
            "city", Map.of("names", Map.of("en", "Tokyo")),
            "postal", Map.of("code", "100-0001"),
            "location", Map.of("latitude", 35.6893, "longitude", 139.6899, "accuracy_radius", 1000,
                "time_zone", "Asia/Tokyo"));
    }

    @Test
    void cityDatabaseReadsBackExactly() throws Exception {
        Path file = new MmdbWriter("GeoLite2-City").languages("en", "de").description("en", "test database")
            .description("de", "Testdatenbank").buildEpoch(1_700_000_000L)
            .insert("81.2.69.0/24", london())
            .insert("2001:218::/32", tokyo())
            .write(temp.resolve("city.mmdb"));

        try (DatabaseReader reader = open(file)) {
            assertEquals("GeoLite2-City", reader.getMetadata().getDatabaseType());
            assertEquals(List.of("en", "de"), reader.getMetadata().getLanguages());
            assertEquals(Map.of("en", "test database", "de", "Testdatenbank"), reader.getMetadata().getDescription());
            assertEquals(6, reader.getMetadata().getIpVersion());
            assertEquals(2, reader.getMetadata().getBinaryFormatMajorVersion());
            assertEquals(0, reader.getMetadata().getBinaryFormatMinorVersion());
            assertEquals(1_700_000_000_000L, reader.getMetadata().getBuildDate().getTime());

            CityResponse london = reader.city(ip("81.2.69.142"));
            assertEquals("GB", london.getCountry().getIsoCode());
            assertEquals("United Kingdom", london.getCountry().getName());
            assertEquals(2635167L, london.getCountry().getGeoNameId());
            assertFalse(london.getCountry().isInEuropeanUnion());
            assertEquals("GB", london.getRegisteredCountry().getIsoCode());
            assertEquals("London", london.getCity().getName());
            assertEquals(2643743L, london.getCity().getGeoNameId());
            assertEquals("ENG", london.getLeastSpecificSubdivision().getIsoCode());
            assertEquals("England", london.getLeastSpecificSubdivision().getName());
            assertEquals("IS", london.getMostSpecificSubdivision().getIsoCode());
            assertEquals("Islington", london.getMostSpecificSubdivision().getName());
            assertEquals("EU", london.getContinent().getCode());
            assertEquals("Europe", london.getContinent().getName());
            assertEquals(51.5142, london.getLocation().getLatitude());
            assertEquals(-0.0931, london.getLocation().getLongitude());
            assertEquals(100, london.getLocation().getAccuracyRadius());
            assertEquals("Europe/London", london.getLocation().getTimeZone());
            assertEquals("EC1A", london.getPostal().getCode());
            assertEquals("81.2.69.0/24", london.getTraits().getNetwork().toString());
            assertEquals("81.2.69.142", london.getTraits().getIpAddress());

            CityResponse tokyo = reader.city(ip("2001:218:1234::5"));
            assertEquals("JP", tokyo.getCountry().getIsoCode());
            assertEquals("Japan", tokyo.getCountry().getName());
            assertEquals("Tokyo", tokyo.getCity().getName());
            assertEquals("13", tokyo.getMostSpecificSubdivision().getIsoCode());
            assertEquals("Tokyo", tokyo.getMostSpecificSubdivision().getName());
            assertEquals("AS", tokyo.getContinent().getCode());
            assertEquals("Asia", tokyo.getContinent().getName());
            assertEquals(35.6893, tokyo.getLocation().getLatitude());
            assertEquals(139.6899, tokyo.getLocation().getLongitude());
            assertEquals(1000, tokyo.getLocation().getAccuracyRadius());
            assertEquals("Asia/Tokyo", tokyo.getLocation().getTimeZone());
            assertEquals("100-0001", tokyo.getPostal().getCode());
            assertNull(tokyo.getCity().getGeoNameId());
            assertEquals("2001:218:0:0:0:0:0:0/32", tokyo.getTraits().getNetwork().toString());
        }

        try (DatabaseReader german = new DatabaseReader.Builder(file.toFile()).locales(List.of("de")).build();
            DatabaseReader japanese = new DatabaseReader.Builder(file.toFile()).locales(List.of("ja")).build()) {
            assertEquals("Vereinigtes Königreich", german.city(ip("81.2.69.1")).getCountry().getName());
            assertEquals("日本", japanese.city(ip("2001:218::1")).getCountry().getName());
            assertEquals("東京都", japanese.city(ip("2001:218::1")).getMostSpecificSubdivision().getName());
        }
    }

    @Test
    void addressOutsideTheInsertedNetworksIsNotFound() throws Exception {
        Path file = new MmdbWriter("GeoLite2-City")
            .insert("81.2.69.0/24", london())
            .insert("2001:218::/32", tokyo())
            .write(temp.resolve("city.mmdb"));
        try (DatabaseReader reader = open(file)) {
            for (String outside : List.of("81.2.68.255", "81.2.70.0", "1.1.1.1", "255.255.255.255", "0.0.0.0",
                "2001:219::", "2001:217:ffff::", "2a00::1", "::", "ffff::1")) {
                assertThrows(AddressNotFoundException.class, () -> reader.city(ip(outside)), outside);
                assertTrue(reader.tryCity(ip(outside)).isEmpty(), outside);
            }
            for (String inside : List.of("81.2.69.0", "81.2.69.255", "2001:218::", "2001:218:ffff:ffff:ffff:ffff:ffff:ffff")) {
                assertTrue(reader.tryCity(ip(inside)).isPresent(), inside);
            }
        }
    }

    @Test
    void emptyDatabaseFindsNothing() throws Exception {
        Path file = new MmdbWriter("GeoLite2-City").write(temp.resolve("empty.mmdb"));
        try (DatabaseReader reader = open(file)) {
            assertTrue(reader.tryCity(ip("81.2.69.142")).isEmpty());
            assertTrue(reader.tryCity(ip("2001:218::1")).isEmpty());
            assertEquals(Map.of("en", "GeoLite2-City test database"), reader.getMetadata().getDescription());
            assertEquals(List.of("en"), reader.getMetadata().getLanguages());
        }
    }

    @Test
    void asnDatabaseReadsBackExactly() throws Exception {
        Path file = new MmdbWriter("GeoLite2-ASN")
            .insert("1.128.0.0/11", Map.of("autonomous_system_number", 1221L,
                "autonomous_system_organization", "Telstra Pty Ltd"))
            .insert("2a02:9000::/23", Map.of("autonomous_system_number", 6739L,
                "autonomous_system_organization", "Telefónica Cable"))
            .insert("5.5.5.0/24", Map.of("autonomous_system_number", 4_200_000_000L, // above Integer.MAX_VALUE
                "autonomous_system_organization", "Private use ASN"))
            .write(temp.resolve("asn.mmdb"));
        try (DatabaseReader reader = open(file)) {
            AsnResponse telstra = reader.asn(ip("1.128.0.1"));
            assertEquals(1221L, telstra.getAutonomousSystemNumber());
            assertEquals("Telstra Pty Ltd", telstra.getAutonomousSystemOrganization());
            assertEquals("1.128.0.0/11", telstra.getNetwork().toString());
            assertEquals(1221L, reader.asn(ip("1.159.255.255")).getAutonomousSystemNumber());

            AsnResponse telefonica = reader.asn(ip("2a02:9100::1"));
            assertEquals(6739L, telefonica.getAutonomousSystemNumber());
            assertEquals("Telefónica Cable", telefonica.getAutonomousSystemOrganization());

            assertEquals(4_200_000_000L, reader.asn(ip("5.5.5.5")).getAutonomousSystemNumber());
            assertTrue(reader.tryAsn(ip("1.160.0.0")).isEmpty());
            assertTrue(reader.tryAsn(ip("2a02:9200::")).isEmpty());
            // The database type decides which lookups the geoip2 reader allows.
            assertThrows(UnsupportedOperationException.class, () -> reader.city(ip("1.128.0.1")));
        }
    }

    @Test
    void countryDatabaseReadsBackExactly() throws Exception {
        Path file = new MmdbWriter("GeoLite2-Country")
            .insert("2.16.0.0/13", Map.of(
                "continent", Map.of("code", "EU", "geoname_id", 6255148L, "names", Map.of("en", "Europe")),
                "country", Map.of("iso_code", "DE", "geoname_id", 2921044L, "is_in_european_union", true,
                    "names", Map.of("en", "Germany")),
                "registered_country", Map.of("iso_code", "NL", "names", Map.of("en", "Netherlands")),
                "traits", Map.of("is_anycast", true)))
            .write(temp.resolve("country.mmdb"));
        try (DatabaseReader reader = open(file)) {
            CountryResponse response = reader.country(ip("2.17.1.2"));
            assertEquals("DE", response.getCountry().getIsoCode());
            assertEquals("Germany", response.getCountry().getName());
            assertEquals(2921044L, response.getCountry().getGeoNameId());
            assertTrue(response.getCountry().isInEuropeanUnion());
            assertEquals("NL", response.getRegisteredCountry().getIsoCode());
            assertEquals("EU", response.getContinent().getCode());
            assertEquals("Europe", response.getContinent().getName());
            assertTrue(response.getTraits().isAnycast());
            assertEquals("2.16.0.0/13", response.getTraits().getNetwork().toString());
            assertTrue(reader.tryCountry(ip("2.24.0.0")).isEmpty());
            assertThrows(UnsupportedOperationException.class, () -> reader.city(ip("2.17.1.2")));
        }
    }

    @Test
    void moreSpecificNetworkWinsInsideABroaderOne() throws Exception {
        for (boolean broadFirst : new boolean[] {true, false}) {
            MmdbWriter writer = new MmdbWriter("GeoLite2-Country");
            Map<String, Object> broad = Map.of("country", Map.of("iso_code", "DE"));
            Map<String, Object> specific = Map.of("country", Map.of("iso_code", "FR"));
            Map<String, Object> host = Map.of("country", Map.of("iso_code", "IT"));
            if (broadFirst) {
                writer.insert("10.20.0.0/16", broad).insert("10.20.30.0/24", specific).insert("10.20.30.7", host)
                    .insert("2001:db8::/32", broad).insert("2001:db8:1::/48", specific);
            } else {
                writer.insert("10.20.30.7", host).insert("10.20.30.0/24", specific).insert("10.20.0.0/16", broad)
                    .insert("2001:db8:1::/48", specific).insert("2001:db8::/32", broad);
            }
            Path file = writer.write(temp.resolve("overlap-" + broadFirst + ".mmdb"));
            try (DatabaseReader reader = open(file)) {
                assertEquals("IT", iso(reader, "10.20.30.7"));
                assertEquals("32", reader.country(ip("10.20.30.7")).getTraits().getNetwork().toString().split("/")[1]);
                assertEquals("FR", iso(reader, "10.20.30.6"));
                assertEquals("FR", iso(reader, "10.20.30.8"));
                assertEquals("FR", iso(reader, "10.20.30.255"));
                assertEquals("DE", iso(reader, "10.20.31.40"));
                assertEquals("DE", iso(reader, "10.20.29.255"));
                assertEquals("DE", iso(reader, "10.20.0.1"));
                assertEquals("DE", iso(reader, "10.20.255.255"));
                assertTrue(reader.tryCountry(ip("10.21.0.1")).isEmpty());
                assertTrue(reader.tryCountry(ip("10.19.255.255")).isEmpty());
                assertEquals("FR", iso(reader, "2001:db8:1:2::3"));
                assertEquals("DE", iso(reader, "2001:db8:2::3"));
                assertEquals("DE", iso(reader, "2001:db8::"));
            }
        }
    }

    @Test
    void sameNetworkInsertedAgainKeepsTheLastData() throws Exception {
        Path file = new MmdbWriter("GeoLite2-Country")
            .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "DE")))
            .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")))
            .write(temp.resolve("again.mmdb"));
        try (DatabaseReader reader = open(file)) {
            assertEquals("GB", iso(reader, "81.2.69.1"));
        }
    }

    @Test
    void wholeAddressSpacesCanBeInserted() throws Exception {
        Path file = new MmdbWriter("GeoLite2-Country")
            .insert("::/0", Map.of("country", Map.of("iso_code", "ZZ")))
            .insert("0.0.0.0/0", Map.of("country", Map.of("iso_code", "XX")))
            .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")))
            .write(temp.resolve("all.mmdb"));
        try (DatabaseReader reader = open(file)) {
            assertEquals("ZZ", iso(reader, "2a00::1"));
            assertEquals("ZZ", iso(reader, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"));
            assertEquals("XX", iso(reader, "1.2.3.4"));
            assertEquals("XX", iso(reader, "255.255.255.255"));
            assertEquals("GB", iso(reader, "81.2.69.1"));
        }
    }

    private static String iso(DatabaseReader reader, String address) throws Exception {
        return reader.country(ip(address)).getCountry().getIsoCode();
    }

    @Test
    void ipv4NetworksLiveUnderTheIpv4CompatiblePrefix() throws Exception {
        Path file = new MmdbWriter("GeoLite2-Country")
            .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")))
            .insert("::ffff:1.2.3.0/120", Map.of("country", Map.of("iso_code", "MP")))
            .write(temp.resolve("layout.mmdb"));
        try (Reader reader = new Reader(file.toFile())) {
            // An IPv6 address in ::/96 walks the same path as the IPv4 lookup.
            assertEquals(Map.of("country", Map.of("iso_code", "GB")), reader.get(ip("::81.2.69.142"), Map.class));
            assertEquals(Map.of("country", Map.of("iso_code", "GB")), reader.get(ip("81.2.69.142"), Map.class));
            // InetAddress.getByName would turn these IPv4-mapped addresses into IPv4 ones.
            assertNull(reader.get(mapped(81, 2, 69, 142), Map.class), "no alias of ::ffff:0:0/96 to the IPv4 tree");
            assertEquals(Map.of("country", Map.of("iso_code", "MP")), reader.get(mapped(1, 2, 3, 4), Map.class));
            assertNull(reader.get(ip("1.2.3.4"), Map.class));
        }
    }

    private static InetAddress mapped(int a, int b, int c, int d) throws IOException {
        return Inet6Address.getByAddress(null,
            new byte[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1, -1, (byte) a, (byte) b, (byte) c, (byte) d}, -1);
    }

    /** Every record size, with records beyond 24 bits so the 28-bit middle nibbles are exercised. */
    @ParameterizedTest
    @ValueSource(ints = {24, 28, 32})
    void everyRecordSizeIsReadable(int recordSize) throws Exception {
        MmdbWriter writer = new MmdbWriter("GeoLite2-Country").recordSize(recordSize)
            .insert("1.0.0.0/24", Map.of("country", Map.of("iso_code", "AU")))
            .insert("2001:218::/32", Map.of("country", Map.of("iso_code", "JP")))
            .insert("2.0.0.0/24", Map.of("country", Map.of("iso_code", "FR")))
            .insert("3.0.1.0/24", Map.of("country", Map.of("iso_code", "ES")));
        Path small = writer.write(temp.resolve("small-" + recordSize + ".mmdb"));
        try (DatabaseReader reader = open(small)) {
            assertEquals("AU", iso(reader, "1.0.0.1"));
            assertEquals("JP", iso(reader, "2001:218::1"));
            assertEquals("FR", iso(reader, "2.0.0.1"));
            assertEquals("ES", iso(reader, "3.0.1.1"));
        }

        // Data after the filler lies past offset 2^24, so its records need more than 24 bits. Each
        // pair of sibling networks puts a small and a large record into one node, in both orders,
        // so the two halves of the 28-bit middle byte must not be mixed up.
        writer.insert("1.0.1.0/24", Map.of("country", Map.of("iso_code", "CN"), "filler", new byte[16_800_000]))
            .insert("2.0.1.0/24", Map.of("country", Map.of("iso_code", "GB")))   // right of FR's node
            .insert("3.0.0.0/24", Map.of("country", Map.of("iso_code", "IT")));  // left of ES's node
        if (recordSize == 24) {
            assertThrows(IllegalStateException.class, writer::toBytes);
            return;
        }
        Path large = writer.write(temp.resolve("large-" + recordSize + ".mmdb"));
        try (DatabaseReader reader = open(large)) {
            assertEquals("AU", iso(reader, "1.0.0.1"));
            assertEquals("CN", iso(reader, "1.0.1.1"));
            assertEquals("FR", iso(reader, "2.0.0.1"));
            assertEquals("GB", iso(reader, "2.0.1.1"));
            assertEquals("IT", iso(reader, "3.0.0.1"));
            assertEquals("ES", iso(reader, "3.0.1.1"));
            assertEquals("JP", iso(reader, "2001:218::1"));
            assertTrue(reader.tryCountry(ip("2.0.2.1")).isEmpty());
        }
    }

    @Test
    void recordSizeChangesOnlyTheNodeWidth() {
        long[] lengths = new long[33];
        for (int size : new int[] {24, 28, 32}) {
            lengths[size] = new MmdbWriter("GeoLite2-Country").recordSize(size).buildEpoch(1L)
                .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB")))
                .toBytes().length;
        }
        long nodes = lengths[28] - lengths[24]; // 7 bytes a node instead of 6
        assertEquals(120, nodes, "an IPv4 /24 sits 96 + 24 levels deep, one node each");
        assertEquals(2 * nodes, lengths[32] - lengths[24]);
        assertThrows(IllegalArgumentException.class, () -> new MmdbWriter("x").recordSize(16));
    }

    @Test
    void everyValueTypeRoundTripsThroughTheReader() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("string", "plain");
        values.put("empty string", "");
        values.put("utf8", "Zürich 東京 😀");
        values.put("double", 51.5142);
        values.put("negative double", -0.0931);
        values.put("float", 1.5f);
        values.put("true", true);
        values.put("false", false);
        values.put("bytes", new byte[] {0, 1, -1, 127, -128});
        values.put("empty bytes", new byte[0]);
        values.put("uint16 zero", 0);
        values.put("uint16 max", 65_535);
        values.put("int32 above uint16", 65_536);
        values.put("int32 max", Integer.MAX_VALUE);
        values.put("int32 negative", -1);
        values.put("int32 min", Integer.MIN_VALUE);
        values.put("uint32 zero", 0L);
        values.put("uint32 max", 0xFFFF_FFFFL);
        values.put("uint64 from long", 1L << 32);
        values.put("uint64 max long", Long.MAX_VALUE);
        values.put("uint64 zero", BigInteger.ZERO);
        values.put("uint64 max", BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE));
        values.put("uint128", BigInteger.ONE.shiftLeft(64));
        values.put("uint128 max", BigInteger.ONE.shiftLeft(128).subtract(BigInteger.ONE));
        values.put("map", Map.of("nested", Map.of("deeper", List.of(1, "two", 3.0))));
        values.put("empty map", Map.of());
        values.put("array", List.of("a", 1L, false, List.of(), Map.of("k", "v")));
        values.put("empty array", List.of());
        // The size encodings change at 29, 285 and 65,821 bytes.
        for (int length : new int[] {28, 29, 30, 284, 285, 286, 65_820, 65_821, 65_822, 100_000}) {
            values.put("string " + length, "é".repeat(length / 2) + "x".repeat(length % 2));
        }
        List<Object> longArray = new ArrayList<>();
        Map<String, Object> bigMap = new HashMap<>();
        for (int i = 0; i < 300; i++) {
            longArray.add(i);
            bigMap.put("key" + i, (long) i);
        }
        values.put("array of 300", longArray);
        values.put("map of 300", bigMap);

        Path file = new MmdbWriter("Test-Types").insert("192.0.2.0/24", values).write(temp.resolve("types.mmdb"));
        try (Reader reader = new Reader(file.toFile())) {
            @SuppressWarnings("unchecked")
            Map<String, Object> read = reader.get(ip("192.0.2.1"), Map.class);
            assertEquals(values.keySet(), read.keySet());
            for (Map.Entry<String, Object> entry : values.entrySet()) {
                Object expected = entry.getValue();
                Object actual = read.get(entry.getKey());
                if (expected instanceof byte[]) {
                    assertArrayEquals((byte[]) expected, (byte[]) actual, entry.getKey());
                } else if (expected instanceof Long && (Long) expected > 0xFFFF_FFFFL) {
                    assertEquals(BigInteger.valueOf((Long) expected), actual, entry.getKey());
                } else {
                    assertEquals(expected, actual, entry.getKey()); // also the type: 1 and 1L differ
                }
            }
        }
    }

    @Test
    void repeatedValuesAreStoredOnceBehindPointers() throws Exception {
        MmdbWriter one = new MmdbWriter("GeoLite2-City");
        one.insert("10.0.0.0/24", london());
        int single = one.toBytes().length;

        MmdbWriter many = new MmdbWriter("GeoLite2-City");
        for (int i = 0; i < 500; i++) {
            Map<String, Object> data = new HashMap<>(london());
            data.put("city", Map.of("names", Map.of("en", "Town " + i)));
            many.insert("10.0." + (i / 256) + "." + (i % 256) + "/32", data);
        }
        many.insert("2001:218::/32", london()); // identical to an earlier value: the same offset
        Path file = many.write(temp.resolve("shared.mmdb"));
        assertTrue(Files.size(file) < 40L * single, "500 records sharing most values: " + Files.size(file)
            + " bytes, one record alone " + single);
        try (DatabaseReader reader = open(file)) {
            for (int i = 0; i < 500; i += 7) {
                CityResponse response = reader.city(ip("10.0." + (i / 256) + "." + (i % 256)));
                assertEquals("Town " + i, response.getCity().getName());
                assertEquals("United Kingdom", response.getCountry().getName());
                assertEquals("England", response.getLeastSpecificSubdivision().getName());
                assertEquals(51.5142, response.getLocation().getLatitude());
            }
            assertEquals("London", reader.city(ip("2001:218::1")).getCity().getName());
        }
    }

    @Test
    void pointersOfEveryLengthAreFollowed() throws Exception {
        // Shared values placed past offsets 2,048 and 526,336 need 3- and 4-byte pointers; 5-byte
        // pointers would need a data section over 128 MiB.
        String near = "near ".repeat(200);
        String middle = "middle ".repeat(200);
        String far = "far ".repeat(200);
        Map<String, Object> farMap = Map.of("nested", List.of(far, 1.25, 7L));
        MmdbWriter writer = new MmdbWriter("Test-Pointers")
            .insert("1.0.0.0/24", Map.of("a", near))
            .insert("1.0.1.0/24", Map.of("b", new byte[3_000], "c", middle))
            .insert("1.0.2.0/24", Map.of("d", new byte[600_000], "e", farMap));
        int before = writer.toBytes().length;
        Map<String, Object> reuse = Map.of("x", near, "y", middle, "z", farMap, "zz", List.of(farMap, middle));
        writer.insert("1.0.3.0/24", reuse);
        int after = writer.toBytes().length;
        assertTrue(after - before < 100, "the fourth record should be pointers only, but took " + (after - before));
        try (Reader reader = new Reader(writer.write(temp.resolve("pointers.mmdb")).toFile())) {
            assertEquals(reuse, reader.get(ip("1.0.3.1"), Map.class));
            assertEquals(Map.of("a", near), reader.get(ip("1.0.0.1"), Map.class));
            assertEquals(middle, reader.get(ip("1.0.1.1"), Map.class).get("c"));
            assertEquals(farMap, reader.get(ip("1.0.2.1"), Map.class).get("e"));
        }
    }

    @Test
    void sameInsertsGiveTheSameBytesWhateverTheMapOrder() {
        Map<String, Object> forward = new LinkedHashMap<>();
        forward.put("a", 1);
        forward.put("b", Map.of("x", "1", "y", "2"));
        forward.put("c", List.of(1L, 2L));
        Map<String, Object> backward = new LinkedHashMap<>();
        backward.put("c", List.of(1L, 2L));
        backward.put("b", Map.of("y", "2", "x", "1"));
        backward.put("a", 1);
        byte[] first = new MmdbWriter("T").buildEpoch(42).insert("1.2.3.0/24", forward).toBytes();
        byte[] second = new MmdbWriter("T").buildEpoch(42).insert("1.2.3.0/24", backward).toBytes();
        assertArrayEquals(first, second);
    }

    @Test
    void insertCopiesTheData() throws Exception {
        Map<String, Object> country = new HashMap<>(Map.of("iso_code", "GB"));
        MmdbWriter writer = new MmdbWriter("GeoLite2-Country").insert("81.2.69.0/24", Map.of("country", country));
        country.put("iso_code", "FR");
        try (DatabaseReader reader = open(writer.write(temp.resolve("copy.mmdb")))) {
            assertEquals("GB", iso(reader, "81.2.69.1"));
        }
    }

    @Test
    void malformedNetworksAreRejected() {
        MmdbWriter writer = new MmdbWriter("GeoLite2-City");
        for (String network : List.of("81.2.69.5/24", "81.2.69.0/33", "2001:218::/129", "2001:218::1/32",
            "81.2.69.0/", "81.2.69.0/-1", "81.2.69.0/+24", "81.2.69.0/ 24", " 81.2.69.0/24", "localhost/32",
            "example.com", "81.2.69/24", "[2001:218::]/32", "fe80::%eth0/64", "", "/24", "1.2.3.4/24/1")) {
            assertThrows(IllegalArgumentException.class, () -> writer.insert(network, Map.of()), network);
        }
    }

    @Test
    void unsupportedValuesAreRejectedWithTheirPath() {
        MmdbWriter writer = new MmdbWriter("GeoLite2-City");
        Map<String, Object> withNull = new HashMap<>();
        withNull.put("time_zone", null);
        for (Object bad : List.of(withNull, (short) 1, (byte) 1, -1L, BigInteger.valueOf(-1),
            BigInteger.ONE.shiftLeft(128), new Object(), Map.of(1, "not a string key"), new int[] {1})) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> writer.insert("1.2.3.0/24", Map.of("location", List.of(Map.of("value", bad)))), bad.toString());
            assertTrue(e.getMessage().startsWith("at location[0].value"), e.getMessage());
            assertTrue(e.getMessage().contains(" in 1.2.3.0/24: "), e.getMessage());
        }
    }

    @Test
    void writeReplacesTheFileAndReturnsIt() throws Exception {
        Path file = temp.resolve("replace.mmdb");
        Files.writeString(file, "old content that is not a database");
        assertEquals(file, new MmdbWriter("GeoLite2-Country")
            .insert("81.2.69.0/24", Map.of("country", Map.of("iso_code", "GB"))).write(file));
        File asFile = file.toFile();
        try (DatabaseReader reader = new DatabaseReader.Builder(asFile).build()) {
            assertEquals("GB", iso(reader, "81.2.69.1"));
        }
    }
}
