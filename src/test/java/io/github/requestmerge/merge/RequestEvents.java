package io.github.requestmerge.merge;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import io.github.requestmerge.testing.Traffic;

/**
 * A reproducible stream of request events for measuring the merge, shaped as the sink task gets
 * them: a schemaless JSON value from Kafka Connect's JsonConverter, passed through the enrichment
 * SMT. So every event is a {@link LinkedHashMap} (the SMT copies the record value into one), integers
 * are {@link Long}, decimals {@link Double}, field names are shared (Jackson canonicalises them),
 * and every top-level string value is a fresh instance, as a deserialiser makes it. The {@code geo}
 * and {@code UA} objects hold the strings of the SMT's lookup caches, so equal values there are
 * already one instance per city and per user agent.
 *
 * <p>The first event of a request is a full one (ids look like UUIDs, IPv4 addresses are random,
 * ~1,000 user agents and ~500 domains repeat with Zipf-like popularity, geo and user-agent objects
 * as the SMT writes them by default); later events are small deltas on counters.
 *
 * <p>Not thread-safe.
 */
final class RequestEvents {

    private static final int USER_AGENTS = 1000;
    private static final int DOMAINS = 500;

    private final SplittableRandom random;
    private final String[] userAgents;
    private final Map<String, Object>[] userAgentObjects;
    private final double[] userAgentCdf;
    private final String[] domains;
    private final double[] domainCdf;
    private final City[] cities;
    private final double[] cityCdf;

    RequestEvents(long seed) {
        random = new SplittableRandom(seed);
        List<Agent> agents = userAgents(new SplittableRandom(seed ^ 0x5eed));
        userAgents = new String[agents.size()];
        @SuppressWarnings("unchecked")
        Map<String, Object>[] objects = new Map[agents.size()];
        userAgentObjects = objects;
        for (int i = 0; i < agents.size(); i++) {
            userAgents[i] = agents.get(i).text;
            userAgentObjects[i] = agents.get(i).object();
        }
        userAgentCdf = Traffic.zipfCdf(userAgents.length);
        domains = domains(new SplittableRandom(seed ^ 0xd0d0));
        domainCdf = Traffic.zipfCdf(domains.length);
        cities = CITIES;
        cityCdf = Traffic.zipfCdf(cities.length);
    }

    /** @return a new request id shaped like a random UUID (36 characters) */
    String newId() {
        long high = random.nextLong();
        long low = random.nextLong();
        return hex(high >>> 32, 8) + '-' + hex(high >>> 16, 4) + '-' + hex(0x4000 | (high & 0x0fff), 4) + '-'
            + hex(0x8000 | (low >>> 48 & 0x3fff), 4) + '-' + hex(low, 12);
    }

    /** @return the first event of a request: everything the client sent plus the SMT's geo and UA objects */
    Map<String, Object> first(String id) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", fresh(id));
        event.put("source", (long) (1 + random.nextInt(3)));
        event.put("ipaddress", Traffic.publicIpv4(random));
        int agent = sample(userAgentCdf);
        event.put("useragent", fresh(userAgents[agent]));
        event.put("domain", fresh(domains[sample(domainCdf)]));
        event.put("clicks", "+1");
        event.put("impressions", "+" + (1 + random.nextInt(8)));
        event.put("price", (50 + random.nextInt(950)) / 100.0);
        event.put("geo", cities[sample(cityCdf)].object());
        event.put("UA", new LinkedHashMap<>(userAgentObjects[agent]));
        return event;
    }

    /**
     * @return a later event of the request: {@code {"id", "clicks", "impressions"}} (60%) or
     *     {@code {"id", "impressions", "uptick"}} (40%)
     */
    Map<String, Object> delta(String id) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", fresh(id));
        if (random.nextInt(10) < 6) {
            event.put("clicks", "+" + (1 + random.nextInt(5)));
            event.put("impressions", "+" + (1 + random.nextInt(10)));
        } else {
            event.put("impressions", "+" + (1 + random.nextInt(10)));
            event.put("uptick", (50 + random.nextInt(950)) / 100.0);
        }
        return event;
    }

    /** @return an index in {@code [0, n)}, uniform */
    int uniform(int n) {
        return random.nextInt(n);
    }

    /** @return a sample from a Zipf-like distribution (see {@link Traffic#zipfCdf}) */
    int sample(double[] cdf) {
        return Traffic.zipfSample(cdf, random.nextDouble());
    }

    /** A copy, as a deserialiser makes a new string for every value it reads. */
    private static String fresh(String value) {
        return new String(value.toCharArray());
    }


    private static String hex(long value, int digits) {
        String text = Long.toHexString(value & (digits == 16 ? -1L : (1L << (4 * digits)) - 1));
        return "0".repeat(digits - text.length()) + text;
    }

    private static String[] domains(SplittableRandom random) {
        String[] words = {"news", "shop", "travel", "daily", "tech", "sport", "games", "food", "auto", "home",
            "music", "photo", "video", "deals", "health", "money", "weather", "cloud", "craft", "style",
            "garden", "pets", "books", "movies", "review", "market", "city", "local", "world", "smart"};
        String[] suffixes = {"", "hub", "zone", "world", "online", "24", "now", "base", "point", "web"};
        String[] tlds = {".com", ".com", ".com", ".net", ".de", ".co.uk", ".fr", ".io", ".org", ".nl"};
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < DOMAINS) {
            String host = (random.nextInt(3) == 0 ? "www." : "") + words[random.nextInt(words.length)]
                + suffixes[random.nextInt(suffixes.length)] + tlds[random.nextInt(tlds.length)];
            names.add(host);
        }
        return names.toArray(new String[0]);
    }

    /** A user agent and the values the SMT's parser finds in it (uap-core names, Elasticsearch layout). */
    private static final class Agent {
        final String text;
        final String name;
        final String major;
        final String minor;
        final String patch;
        final String os;
        final String osVersion;
        final String device;

        Agent(String text, String name, String major, String minor, String patch, String os, String osVersion,
              String device) {
            this.text = text;
            this.name = name;
            this.major = major;
            this.minor = minor;
            this.patch = patch;
            this.os = os;
            this.osVersion = osVersion;
            this.device = device;
        }

        /** @return the UA object as the SMT writes it by default (name, version, major, minor, patch, os, device) */
        Map<String, Object> object() {
            Map<String, Object> ua = new LinkedHashMap<>();
            ua.put("name", name);
            if (major != null) {
                String version = major + (minor == null ? "" : "." + minor + (patch == null ? "" : "." + patch));
                ua.put("version", version);
                ua.put("major", major);
                if (minor != null) {
                    ua.put("minor", minor);
                }
                if (patch != null) {
                    ua.put("patch", patch);
                }
            }
            if (os != null) {
                Map<String, Object> osObject = new LinkedHashMap<>();
                osObject.put("name", os);
                if (osVersion != null) {
                    osObject.put("version", osVersion);
                }
                osObject.put("full", osVersion == null ? os : os + " " + osVersion);
                ua.put("os", osObject);
            }
            Map<String, Object> deviceObject = new LinkedHashMap<>();
            deviceObject.put("name", device);
            ua.put("device", deviceObject);
            return ua;
        }
    }

    /** @return distinct, realistic user agents of the common browser families, in a shuffled popularity order */
    private static List<Agent> userAgents(SplittableRandom random) {
        String[] windows = {"Windows NT 10.0; Win64; x64", "Windows NT 10.0; WOW64", "Windows NT 6.1; Win64; x64"};
        String[] windowsVersions = {"10", "10", "7"};
        String[] macs = {"10_15_7", "10_15_6", "11_6_8", "13_5_2", "14_1_1"};
        String[] androids = {"10", "11", "12", "13", "14"};
        String[][] phones = {{"SM-G991B", "Samsung SM-G991B"}, {"SM-A536B", "Samsung SM-A536B"},
            {"Pixel 7", "Pixel 7"}, {"Pixel 6a", "Pixel 6a"}, {"M2101K6G", "XiaoMi M2101K6G"},
            {"CPH2219", "Oppo CPH2219"}, {"moto g(30)", "Motorola moto g(30)"}, {"K", "K"}};
        String[] ios = {"15_8", "16_6_1", "16_7_2", "17_0_3", "17_1_2", "17_2"};
        Map<String, Agent> agents = new LinkedHashMap<>();
        while (agents.size() < USER_AGENTS) {
            int family = random.nextInt(100);
            String chrome = String.valueOf(100 + random.nextInt(21));
            String build = String.valueOf(5000 + random.nextInt(1200));
            String patch = String.valueOf(random.nextInt(230));
            Agent agent;
            if (family < 35) {
                int w = random.nextInt(windows.length);
                agent = new Agent("Mozilla/5.0 (" + windows[w] + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/"
                    + chrome + ".0." + build + "." + patch + " Safari/537.36", "Chrome", chrome, "0", build,
                    "Windows", windowsVersions[w], "Other");
            } else if (family < 55) {
                String android = androids[random.nextInt(androids.length)];
                String[] phone = phones[random.nextInt(phones.length)];
                agent = new Agent("Mozilla/5.0 (Linux; Android " + android + "; " + phone[0]
                    + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + ".0." + build + "." + patch
                    + " Mobile Safari/537.36", "Chrome Mobile", chrome, "0", build, "Android", android, phone[1]);
            } else if (family < 72) {
                String version = ios[random.nextInt(ios.length)];
                String dotted = version.replace('_', '.');
                String[] parts = dotted.split("\\.");
                agent = new Agent("Mozilla/5.0 (iPhone; CPU iPhone OS " + version
                    + " like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/" + dotted
                    + " Mobile/15E148 Safari/604.1", "Mobile Safari", parts[0], parts[1],
                    parts.length > 2 ? parts[2] : null, "iOS", dotted, "iPhone");
            } else if (family < 82) {
                String mac = macs[random.nextInt(macs.length)];
                agent = new Agent("Mozilla/5.0 (Macintosh; Intel Mac OS X " + mac
                    + ") AppleWebKit/537.36 (KHTML, like Gecko) Chrome/" + chrome + ".0." + build + "." + patch
                    + " Safari/537.36", "Chrome", chrome, "0", build, "Mac OS X", mac.replace('_', '.'), "Mac");
            } else if (family < 90) {
                String firefox = String.valueOf(100 + random.nextInt(22));
                int w = random.nextInt(windows.length);
                agent = new Agent("Mozilla/5.0 (" + windows[w] + "; rv:" + firefox + ".0) Gecko/20100101 Firefox/"
                    + firefox + ".0", "Firefox", firefox, "0", null, "Windows", windowsVersions[w], "Other");
            } else if (family < 97) {
                String edgeBuild = String.valueOf(1000 + random.nextInt(1300));
                String edgePatch = String.valueOf(random.nextInt(120));
                agent = new Agent("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    + "Chrome/" + chrome + ".0.0.0 Safari/537.36 Edg/" + chrome + ".0." + edgeBuild + "." + edgePatch,
                    "Edge", chrome, "0", edgeBuild, "Windows", "10", "Other");
            } else {
                String bot = random.nextBoolean() ? "Googlebot/2.1; +http://www.google.com/bot.html"
                    : "bingbot/2.0; +http://www.bing.com/bingbot.htm";
                agent = new Agent("Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
                    + "(KHTML, like Gecko) Chrome/" + chrome + ".0." + build + "." + patch + " Mobile Safari/537.36 "
                    + "(compatible; " + bot + ")", bot.startsWith("G") ? "Googlebot" : "bingbot",
                    bot.substring(bot.indexOf('/') + 1, bot.indexOf('.')), bot.substring(bot.indexOf('.') + 1,
                    bot.indexOf(';')), null, "Android", "6.0.1", "Spider");
            }
            agents.putIfAbsent(agent.text, agent);
        }
        List<Agent> shuffled = new ArrayList<>(agents.values());
        for (int i = shuffled.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Agent swap = shuffled.get(i);
            shuffled.set(i, shuffled.get(j));
            shuffled.set(j, swap);
        }
        return shuffled;
    }

    /** A city as GeoLite2 describes it, with the fields the SMT writes by default. */
    private static final class City {
        final String continent;
        final String countryCode;
        final String country;
        final String regionCode;
        final String region;
        final String name;
        final double lat;
        final double lon;

        City(String continent, String countryCode, String country, String regionCode, String region, String name,
             double lat, double lon) {
            this.continent = continent;
            this.countryCode = countryCode;
            this.country = country;
            this.regionCode = regionCode;
            this.region = region;
            this.name = name;
            this.lat = lat;
            this.lon = lon;
        }

        /** @return a new geo object, as the SMT builds one per record from its cached values */
        Map<String, Object> object() {
            Map<String, Object> geo = new LinkedHashMap<>();
            geo.put("continent_name", continent);
            geo.put("country_iso_code", countryCode);
            geo.put("country_name", country);
            if (regionCode != null) {
                geo.put("region_iso_code", regionCode);
                geo.put("region_name", region);
            }
            geo.put("city_name", name);
            Map<String, Object> location = new LinkedHashMap<>();
            location.put("lat", lat);
            location.put("lon", lon);
            geo.put("location", location);
            return geo;
        }
    }

    private static final City[] CITIES = {
        new City("North America", "US", "United States", "US-CA", "California", "Los Angeles", 34.0544, -118.244),
        new City("Europe", "DE", "Germany", "DE-BE", "Land Berlin", "Berlin", 52.5196, 13.4069),
        new City("North America", "US", "United States", "US-NY", "New York", "New York", 40.7126, -74.0066),
        new City("Europe", "GB", "United Kingdom", "GB-ENG", "England", "London", 51.5088, -0.093),
        new City("Europe", "FR", "France", "FR-IDF", "Île-de-France", "Paris", 48.8534, 2.3488),
        new City("Asia", "IN", "India", "IN-MH", "Maharashtra", "Mumbai", 19.0748, 72.8856),
        new City("South America", "BR", "Brazil", "BR-SP", "São Paulo", "São Paulo", -23.5335, -46.6359),
        new City("Europe", "NL", "Netherlands", "NL-NH", "North Holland", "Amsterdam", 52.3759, 4.8975),
        new City("Asia", "JP", "Japan", "JP-13", "Tokyo", "Tokyo", 35.6893, 139.6899),
        new City("North America", "US", "United States", "US-TX", "Texas", "Dallas", 32.7831, -96.8067),
        new City("Europe", "DE", "Germany", "DE-BY", "Bavaria", "Munich", 48.1374, 11.5755),
        new City("Europe", "ES", "Spain", "ES-MD", "Madrid", "Madrid", 40.4165, -3.7026),
        new City("North America", "CA", "Canada", "CA-ON", "Ontario", "Toronto", 43.6547, -79.3623),
        new City("Europe", "IT", "Italy", "IT-25", "Lombardy", "Milan", 45.4643, 9.1895),
        new City("Oceania", "AU", "Australia", "AU-NSW", "New South Wales", "Sydney", -33.8715, 151.2006),
        new City("Europe", "PL", "Poland", "PL-14", "Mazovia", "Warsaw", 52.2298, 21.0118),
        new City("Asia", "SG", "Singapore", null, null, "Singapore", 1.2897, 103.8501),
        new City("Europe", "DE", "Germany", "DE-HH", "Hamburg", "Hamburg", 53.5507, 9.993),
        new City("North America", "US", "United States", "US-IL", "Illinois", "Chicago", 41.8835, -87.6305),
        new City("Europe", "SE", "Sweden", "SE-AB", "Stockholm County", "Stockholm", 59.3294, 18.0687),
        new City("Asia", "KR", "South Korea", "KR-11", "Seoul", "Seoul", 37.5112, 126.9741),
        new City("Europe", "AT", "Austria", "AT-9", "Vienna", "Vienna", 48.2064, 16.3707),
        new City("North America", "MX", "Mexico", "MX-CMX", "Mexico City", "Mexico City", 19.4285, -99.1277),
        new City("Africa", "ZA", "South Africa", "ZA-GP", "Gauteng", "Johannesburg", -26.2023, 28.0436),
        new City("Europe", "CH", "Switzerland", "CH-ZH", "Zurich", "Zurich", 47.3667, 8.55),
        new City("Asia", "ID", "Indonesia", "ID-JK", "Jakarta", "Jakarta", -6.2146, 106.8451),
        new City("North America", "US", "United States", "US-WA", "Washington", "Seattle", 47.6034, -122.3414),
        new City("Europe", "BE", "Belgium", "BE-BRU", "Brussels Capital", "Brussels", 50.8505, 4.3488),
        new City("South America", "AR", "Argentina", "AR-C", "Buenos Aires F.D.", "Buenos Aires", -34.6021, -58.3845),
        new City("Europe", "DE", "Germany", "DE-NW", "North Rhine-Westphalia", "Cologne", 50.9333, 6.95),
        new City("Asia", "TR", "Türkiye", "TR-34", "Istanbul", "Istanbul", 41.0247, 28.9252),
        new City("Europe", "IE", "Ireland", "IE-L", "Leinster", "Dublin", 53.3331, -6.2489),
        new City("North America", "US", "United States", "US-VA", "Virginia", "Ashburn", 39.0437, -77.4875),
        new City("Europe", "DK", "Denmark", "DK-84", "Capital Region", "Copenhagen", 55.6759, 12.5655),
        new City("Asia", "VN", "Vietnam", "VN-SG", "Ho Chi Minh", "Ho Chi Minh City", 10.8231, 106.6297),
        new City("Europe", "CZ", "Czechia", "CZ-10", "Prague", "Prague", 50.0883, 14.4124),
        new City("North America", "US", "United States", "US-FL", "Florida", "Miami", 25.7743, -80.1937),
        new City("Europe", "PT", "Portugal", "PT-11", "Lisbon", "Lisbon", 38.7167, -9.1333),
        new City("Asia", "TH", "Thailand", "TH-10", "Bangkok", "Bangkok", 13.754, 100.5014),
        new City("Europe", "NO", "Norway", "NO-03", "Oslo County", "Oslo", 59.9127, 10.7461),
    };
}
