package io.github.requestmerge.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.maxmind.geoip2.DatabaseReader;

import io.github.requestmerge.TestData;

class LeadTrafficTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final LeadTraffic.Shape TWO_MINUTES = LeadTraffic.Shape.over(Duration.ofMinutes(2), 800);

    @Test
    void theSameSeedGivesTheSameEventsAndAnotherSeedOtherIds() {
        List<LeadTraffic.Event> first = all(LeadTraffic.withTestData(7, TWO_MINUTES));
        List<LeadTraffic.Event> again = all(LeadTraffic.withTestData(7, TWO_MINUTES));
        List<LeadTraffic.Event> other = all(LeadTraffic.withTestData(8, TWO_MINUTES));
        assertEquals(first, again);
        assertEquals(first.size(), other.size());
        Set<String> firstIds = ids(first);
        assertFalse(ids(other).stream().anyMatch(firstIds::contains), "another seed never touches the same documents");
    }

    @Test
    void eventsAreDueAtExactlyTheRate() {
        List<LeadTraffic.Event> events = all(LeadTraffic.withTestData(1, TWO_MINUTES));
        assertEquals(96_000, events.size());
        for (int n = 0; n < events.size(); n += 997) {
            assertEquals(n * 1000L / 800, events.get(n).atMillis());
        }
    }

    @Test
    void aRequestStartsWithItsVisitorAndGoesOnWithDeltasNestedCountersAndScalars() throws IOException {
        Map<String, List<JsonNode>> byId = new HashMap<>();
        for (LeadTraffic.Event event : all(LeadTraffic.withTestData(3, TWO_MINUTES))) {
            if (!event.isBad()) {
                JsonNode json = JSON.readTree(event.json());
                assertEquals(event.key(), json.path("id").asText(), "keyed by request id");
                byId.computeIfAbsent(event.key(), id -> new ArrayList<>()).add(json);
            }
        }
        Set<String> laterFields = new HashSet<>();
        for (List<JsonNode> events : byId.values()) {
            JsonNode first = events.get(0);
            for (String field : List.of("ipaddress", "useragent", "domain", "price", "source")) {
                assertTrue(first.has(field), field + " in " + first);
            }
            assertEquals("+1", first.path("funnel").path("step1").asText());
            for (JsonNode later : events.subList(1, events.size())) {
                assertFalse(later.has("ipaddress") || later.has("useragent") || later.has("domain"), later.toString());
                later.fieldNames().forEachRemaining(laterFields::add);
            }
        }
        assertEquals(Set.of("id", "clicks", "impressions", "funnel", "status", "price"), laterFields);
        double mean = byId.values().stream().mapToInt(List::size).average().orElse(0);
        assertTrue(mean > 4 && mean < 8, "about 6 events a request: " + mean);
    }

    @Test
    void aRequestsEventsSpreadOverTensOfSecondsInATwoMinuteRun() {
        Map<String, long[]> firstAndLast = new HashMap<>();
        for (LeadTraffic.Event event : all(LeadTraffic.withTestData(4, TWO_MINUTES))) {
            if (!event.isBad()) {
                firstAndLast.computeIfAbsent(event.key(), id -> new long[] {event.atMillis(), 0})[1] = event.atMillis();
            }
        }
        // Requests started in the middle of the run, whose events all fit in it.
        long[] spans = firstAndLast.values().stream().filter(times -> times[0] > 40_000 && times[0] < 50_000)
            .mapToLong(times -> times[1] - times[0]).sorted().toArray();
        long median = spans[spans.length / 2];
        assertTrue(median > 15_000 && median < 60_000, "median span " + median + " ms");
        assertTrue(spans[spans.length - 1] <= 75_000, "longest span " + spans[spans.length - 1] + " ms");
    }

    @Test
    void aboutOneInAThousandIsBadOfEveryKindAndAConflictFollowsItsRequestsFirstEvent() {
        LeadTraffic traffic = LeadTraffic.withTestData(5, LeadTraffic.Shape.over(Duration.ofMinutes(5), 1000));
        Set<String> started = new HashSet<>();
        Map<LeadTraffic.Bad, Integer> bad = new EnumMap<>(LeadTraffic.Bad.class);
        while (traffic.hasNext()) {
            LeadTraffic.Event event = traffic.next();
            if (!event.isBad()) {
                started.add(event.key());
                continue;
            }
            bad.merge(event.bad(), 1, Integer::sum);
            switch (event.bad()) {
                case NO_ID -> assertNull(event.key());
                case NOT_JSON -> assertThrows(IOException.class, () -> JSON.readTree(event.json()));
                case DELTA_ON_STRING -> {
                    assertTrue(started.contains(event.key()), "after the first event of " + event.key());
                    assertEquals("+1", readUnchecked(event.json()).path("domain").asText());
                }
                default -> throw new AssertionError(event.bad());
            }
        }
        int total = bad.values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(total > 200 && total < 400, total + " bad of 300,000");
        assertEquals(Set.of(LeadTraffic.Bad.values()), bad.keySet());
        assertEquals(total, traffic.totals().badEvents());
        assertEquals(Map.copyOf(bad).entrySet().stream().mapToLong(Map.Entry::getValue).sum(),
            traffic.totals().bad().values().stream().mapToLong(Long::longValue).sum());
    }

    @Test
    void theTotalsAreWhatTheGoodEventsAddUpTo() throws IOException {
        LeadTraffic traffic = LeadTraffic.withTestData(6, LeadTraffic.Shape.over(Duration.ofSeconds(30), 500));
        long clicks = 0;
        long impressions = 0;
        Map<String, long[]> byDomain = new HashMap<>();
        Map<String, String> domainOf = new HashMap<>();
        long good = 0;
        while (traffic.hasNext()) {
            LeadTraffic.Event event = traffic.next();
            if (event.isBad()) {
                continue;
            }
            good++;
            JsonNode json = JSON.readTree(event.json());
            if (json.has("domain")) {
                domainOf.put(event.key(), json.get("domain").asText());
            }
            long[] sums = byDomain.computeIfAbsent(domainOf.get(event.key()), domain -> new long[3]);
            if (json.has("domain")) {
                sums[0]++;
            }
            long eventClicks = Long.parseLong(json.path("clicks").asText("0").replace("+", ""));
            long eventImpressions = Long.parseLong(json.path("impressions").asText("0").replace("+", ""));
            clicks += eventClicks;
            impressions += eventImpressions;
            sums[1] += eventClicks;
            sums[2] += eventImpressions;
        }
        LeadTraffic.Totals totals = traffic.totals();
        assertEquals(15_000, totals.events());
        assertEquals(good, totals.goodEvents());
        assertEquals(domainOf.size(), totals.requests());
        assertEquals(clicks, totals.clicks());
        assertEquals(impressions, totals.impressions());
        assertEquals(byDomain.keySet(), totals.byDomain().keySet());
        byDomain.forEach((domain, sums) -> assertEquals(Arrays.toString(sums), Arrays.toString(totals.byDomain().get(domain)),
            domain));
        assertNotEquals(0, clicks);
    }

    @Test
    void mostIpAddressesResolveToACountryInTheRealGeoLite2Database() throws Exception {
        Set<String> ips = new HashSet<>();
        for (LeadTraffic.Event event : all(LeadTraffic.withTestData(9, LeadTraffic.Shape.over(Duration.ofSeconds(60), 500)))) {
            if (!event.isBad() && event.json().contains("ipaddress")) {
                ips.add(JSON.readTree(event.json()).path("ipaddress").asText());
            }
        }
        int resolved = 0;
        Set<String> countries = new HashSet<>();
        try (DatabaseReader reader = new DatabaseReader.Builder(TestData.geoLite2City().toFile()).build()) {
            for (String ip : ips) {
                var city = reader.tryCity(InetAddress.getByName(ip));
                if (city.isPresent() && city.get().getCountry().getName() != null) {
                    resolved++;
                    countries.add(city.get().getCountry().getName());
                }
            }
        }
        assertTrue(resolved > ips.size() * 0.9, resolved + " of " + ips.size() + " resolved");
        assertTrue(countries.size() > 20, countries.size() + " countries");
    }

    private static JsonNode readUnchecked(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static Set<String> ids(List<LeadTraffic.Event> events) {
        Set<String> ids = new HashSet<>();
        events.stream().filter(event -> event.key() != null).forEach(event -> ids.add(event.key()));
        return ids;
    }

    private static List<LeadTraffic.Event> all(LeadTraffic traffic) {
        List<LeadTraffic.Event> events = new ArrayList<>();
        traffic.forEachRemaining(events::add);
        return events;
    }
}
