package io.github.requestmerge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.github.requestmerge.traffic.LeadTraffic;

class BacklogTest {

    private static final long EVENTS = 30_000;
    private static final Duration TEN_MINUTES = Duration.ofMinutes(10);

    private static Backlog backlog(Backlog.Shape shape) {
        return Backlog.of(shape, EVENTS, 3_000, 500, TEN_MINUTES, LeadTraffic.topUserAgents(), 7);
    }

    @Test
    void scatteredHasTheSessionsEventsWithEachIdsInTheirOrder() {
        Backlog sessions = backlog(Backlog.Shape.SESSIONS);
        Backlog scattered = backlog(Backlog.Shape.SCATTERED);
        List<Backlog.Event> inTimeOrder = Backlog.all(sessions);
        List<Backlog.Event> mixed = Backlog.all(scattered);

        assertEquals(EVENTS, inTimeOrder.size());
        assertEquals(EVENTS, mixed.size());
        assertEquals(byId(inTimeOrder), byId(mixed), "every id has the same events, in the same order");
        assertNotEquals(values(inTimeOrder), values(mixed), "but the ids are interleaved otherwise");
        assertEquals(sessions.expected(), scattered.expected(), "so the merged documents are the same");
    }

    @Test
    void scatteredSpreadsAnIdsEventsOverTheWholeBacklog() {
        double sessions = meanSpanShare(Backlog.all(backlog(Backlog.Shape.SESSIONS)));
        double scattered = meanSpanShare(Backlog.all(backlog(Backlog.Shape.SCATTERED)));
        // Sessions last 1-5 of the backlog's 10 minutes; k events at random places span (k-1)/(k+1) of it.
        assertTrue(sessions < 0.4, "sessions span " + sessions + " of the backlog on average");
        assertTrue(scattered > 0.5, "scattered ids span " + scattered + " of the backlog on average");
    }

    @Test
    void eventsHappenAtTheBacklogsSteadyRateOverTheTimeItCovers() {
        Backlog backlog = backlog(Backlog.Shape.SCATTERED);
        List<Backlog.Event> events = Backlog.all(backlog);
        assertEquals(EVENTS / TEN_MINUTES.toSeconds(), backlog.eventsPerSecond());
        for (int n = 0; n < events.size(); n += 991) {
            assertEquals(n * 1000L / backlog.eventsPerSecond(), events.get(n).atMillis());
        }
        assertTrue(events.get(events.size() - 1).atMillis() < TEN_MINUTES.toMillis());
    }

    @Test
    void expectedDocumentsAddUpTheEventsAsMerged() throws Exception {
        Backlog backlog = backlog(Backlog.Shape.SESSIONS);
        List<Backlog.Event> events = Backlog.all(backlog);
        BenchIndex.Expected expected = backlog.expected();

        Map<String, String> lastStatus = new HashMap<>();
        long clicks = 0;
        long steps = 0;
        for (Backlog.Event event : events) {
            var json = Report.JSON.readTree(event.json());
            clicks += Long.parseLong(json.path("clicks").asText("0").replace("+", ""));
            steps += json.path("funnel").size();
            if (json.has("status")) {
                lastStatus.put(event.key(), json.path("status").asText());
            }
        }
        assertEquals(byId(events).size(), expected.documents(), "one document per id");
        assertEquals(clicks, expected.clicks());
        assertEquals(steps, expected.sums().values().stream().mapToLong(Long::longValue).sum(), "every funnel step counts");
        assertEquals(expected.documents(), expected.statuses().values().stream().mapToLong(Long::longValue).sum(),
            "every document in one status or none");
        assertEquals(expected.documents() - lastStatus.size(), expected.statuses().get(Backlog.NONE));
        assertEquals(lastStatus.values().stream().filter("sold"::equals).count(), expected.statuses().get("sold"),
            "the last status of each id wins");
    }

    @Test
    void uniformIsTheSyntheticWorkload() {
        Backlog backlog = backlog(Backlog.Shape.UNIFORM);
        List<Backlog.Event> events = Backlog.all(backlog);
        assertEquals(EVENTS, events.size());
        assertEquals(3_000, backlog.expected().documents());
        assertEquals(3_000, byId(events).size());
        assertFalse(backlog.expected().hasDetails(), "no statuses or funnels to check");
    }

    @Test
    void shapesParseCaseInsensitivelyAndPrintLowerCase() {
        assertEquals(Backlog.Shape.SCATTERED, Backlog.Shape.parse(" Scattered "));
        assertEquals("sessions", Backlog.Shape.SESSIONS.toString());
        assertThrows(IllegalArgumentException.class, () -> Backlog.Shape.parse("random"));
    }

    private static Map<String, List<String>> byId(List<Backlog.Event> events) {
        Map<String, List<String>> byId = new LinkedHashMap<>();
        for (Backlog.Event event : events) {
            byId.computeIfAbsent(event.key(), key -> new ArrayList<>()).add(event.json());
        }
        return new HashMap<>(byId);
    }

    private static List<String> values(List<Backlog.Event> events) {
        return events.stream().map(Backlog.Event::json).toList();
    }

    /** @return the mean over ids of several events of the share of the backlog from an id's first event to its last */
    private static double meanSpanShare(List<Backlog.Event> events) {
        Map<String, int[]> firstAndLast = new HashMap<>();
        for (int n = 0; n < events.size(); n++) {
            int position = n;
            firstAndLast.computeIfAbsent(events.get(n).key(), key -> new int[] {position, position})[1] = n;
        }
        return firstAndLast.values().stream().filter(span -> span[1] > span[0])
            .mapToDouble(span -> (span[1] - span[0]) / (double) events.size()).average().orElse(0);
    }
}
