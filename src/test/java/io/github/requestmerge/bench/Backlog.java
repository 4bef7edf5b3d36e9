package io.github.requestmerge.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.traffic.LeadTraffic;

/**
 * The events a catch-up finds waiting in Kafka, in the order they are produced, each with the time it
 * happened (its record timestamp: the backlog's traffic covers {@code covers}, ending when it is
 * produced, as after an outage of that long), and what the merged index must hold afterwards.
 *
 * <p>Three shapes:
 * <ul>
 *   <li>{@link Shape#SESSIONS}: the quickstart's lead traffic ({@link LeadTraffic}): requests of 2 to 40
 *       events (6 on average) spread over 1 to 5 minutes, in time order. Fewer requests are under way at
 *       once than one task's cache holds, but more ids in all.</li>
 *   <li>{@link Shape#SCATTERED}: the same events, each id's still in its own order (deltas and
 *       last-write-wins depend on it), but the ids interleaved at random over the whole backlog, so an
 *       id's events are about as far apart as the backlog is long: the adversarial case for any
 *       coalescing.</li>
 *   <li>{@link Shape#UNIFORM}: {@link Workload}'s synthetic events, a fixed number of requests open at
 *       once and every id with the same number of events.</li>
 * </ul>
 * The lead shapes have no bad records, so the result is checked exactly: documents, the counters' sums,
 * the funnel's sums, and how many documents end in each status (a scalar whose last value wins, so an
 * id's events merged out of order would show).
 *
 * <p>Not thread-safe: one producing thread draws from it.
 */
final class Backlog {

    /** The order of the backlog's events. Parsed case-insensitively; printed lower case. */
    enum Shape {
        SESSIONS("sessions of 2-40 events (6 on average) over 1-5 min, in time order"),
        SCATTERED("the sessions' events, each id's scattered over the whole backlog"),
        UNIFORM("synthetic requests, a fixed number open at once, the same number of events each");

        private final String description;

        Shape(String description) {
            this.description = description;
        }

        String description() {
            return description;
        }

        static Shape parse(String text) {
            try {
                return valueOf(text.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown backlog '" + text.trim() + "'; use sessions, scattered or uniform");
            }
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** One record to produce: its key, value, and when it happened (ms after the backlog's start). */
    record Event(String key, String json, long atMillis) {
    }

    /** A field whose value is a status: how many documents end in each, {@link #NONE} for those without. */
    static final String STATUS_FIELD = "status";
    static final String NONE = "(none)";

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The lead shapes' spans: from a request's first event to its last. */
    private static final Duration MIN_SPAN = Duration.ofMinutes(1);
    private static final Duration MAX_SPAN = Duration.ofMinutes(5);

    private final long eventsPerSecond;
    private final Source source;
    private long position;

    private Backlog(long eventsPerSecond, Source source) {
        this.eventsPerSecond = eventsPerSecond;
        this.source = source;
    }

    /**
     * @param events how many events
     * @param ids the uniform shape's request ids (the lead shapes start requests as their traffic does)
     * @param window the uniform shape's requests open at once
     * @param covers how long the traffic took; with {@code events}, the traffic's rate
     */
    static Backlog of(Shape shape, long events, int ids, int window, Duration covers, List<String> userAgents, long seed) {
        int perSecond = (int) Math.min(Integer.MAX_VALUE, Math.max(1, events * 1000 / Math.max(1, covers.toMillis())));
        if (shape == Shape.UNIFORM) {
            return new Backlog(perSecond, new Uniform(new Workload("c", ids, events, 0, window, userAgents, seed)));
        }
        LeadTraffic traffic = new LeadTraffic(seed, new LeadTraffic.Shape(perSecond, events, MIN_SPAN, MAX_SPAN, 6, 0),
            userAgents);
        return new Backlog(perSecond, shape == Shape.SESSIONS ? new Sessions(traffic)
            : new Scattered(traffic, new SplittableRandom(seed ^ 0x5ca77e7edL)));
    }

    boolean hasNext() {
        return source.hasNext();
    }

    /** @return the next event; it happened at the backlog's steady rate after the one before */
    Event next() {
        Keyed record = source.next();
        return new Event(record.key(), record.json(), position++ * 1000 / eventsPerSecond);
    }

    /** @return the traffic's steady rate: event {@code n} happened {@code n * 1000 / rate} ms after the first */
    long eventsPerSecond() {
        return eventsPerSecond;
    }

    /** @return what the merged index holds once every event handed out so far is merged */
    BenchIndex.Expected expected() {
        return source.expected();
    }

    /** An event's key and value, before the backlog gives it its time. */
    private record Keyed(String key, String json) {
    }

    /** Where the events come from, in produce order. */
    private interface Source {
        boolean hasNext();

        Keyed next();

        BenchIndex.Expected expected();
    }

    private static final class Uniform implements Source {
        private final Workload workload;

        Uniform(Workload workload) {
            this.workload = workload;
        }

        @Override
        public boolean hasNext() {
            return workload.hasNext();
        }

        @Override
        public Keyed next() {
            Workload.Event event = workload.next();
            return new Keyed(event.id(), event.json());
        }

        @Override
        public BenchIndex.Expected expected() {
            return new BenchIndex.Expected(workload.ids(), workload.clicks(), workload.impressions(), Map.of(), Map.of());
        }
    }

    private static final class Sessions implements Source {
        private final LeadTraffic traffic;
        private final Outcome outcome = new Outcome();

        Sessions(LeadTraffic traffic) {
            this.traffic = traffic;
        }

        @Override
        public boolean hasNext() {
            return traffic.hasNext();
        }

        @Override
        public Keyed next() {
            LeadTraffic.Event event = traffic.next();
            outcome.add(event);
            return new Keyed(event.key(), event.json());
        }

        @Override
        public BenchIndex.Expected expected() {
            return outcome.expected(traffic.totals());
        }
    }

    /**
     * The sessions' events interleaved at random with each id's kept in order: the sequence of ids (one
     * entry per event) shuffled, then each entry takes its id's next event. Every interleaving that keeps
     * the ids' own orders is equally likely. Holds the whole backlog in memory (about 200 bytes an event).
     */
    private static final class Scattered implements Source {
        private final String[] keys;
        private final String[] values;
        private final int[] idOf;
        /** An id's next event, and after each event the same id's one after it (-1: none). */
        private final int[] nextOfId;
        private final int[] following;
        private final BenchIndex.Expected expected;
        private int position;

        Scattered(LeadTraffic traffic, SplittableRandom random) {
            int events = (int) traffic.shape().events();
            keys = new String[events];
            values = new String[events];
            idOf = new int[events];
            Map<String, Integer> ids = new HashMap<>();
            Outcome outcome = new Outcome();
            for (int n = 0; traffic.hasNext(); n++) {
                LeadTraffic.Event event = traffic.next();
                outcome.add(event);
                keys[n] = event.key();
                values[n] = event.json();
                idOf[n] = ids.computeIfAbsent(event.key(), key -> ids.size());
            }
            expected = outcome.expected(traffic.totals());
            nextOfId = new int[ids.size()];
            java.util.Arrays.fill(nextOfId, -1);
            following = new int[events];
            for (int n = events - 1; n >= 0; n--) {
                following[n] = nextOfId[idOf[n]];
                nextOfId[idOf[n]] = n;
            }
            // Fisher-Yates over the ids' entries: the order ids take their turns in.
            for (int n = events - 1; n > 0; n--) {
                int other = random.nextInt(n + 1);
                int id = idOf[n];
                idOf[n] = idOf[other];
                idOf[other] = id;
            }
        }

        @Override
        public boolean hasNext() {
            return position < idOf.length;
        }

        @Override
        public Keyed next() {
            int id = idOf[position++];
            int event = nextOfId[id];
            nextOfId[id] = following[event];
            Keyed record = new Keyed(keys[event], values[event]);
            keys[event] = null;
            values[event] = null;
            return record;
        }

        @Override
        public BenchIndex.Expected expected() {
            return expected;
        }
    }

    /**
     * What lead traffic adds up to beyond {@link LeadTraffic.Totals}: the funnel steps' sums and each
     * request's last status, from the events as produced (an id's events in their order).
     */
    private static final class Outcome {
        private final Map<String, Long> funnel = new TreeMap<>();
        private final Map<String, String> lastStatus = new HashMap<>();

        void add(LeadTraffic.Event event) {
            if (event.isBad()) {
                throw new IllegalStateException("a backlog has no bad records, found " + event.bad());
            }
            JsonNode json;
            try {
                json = JSON.readTree(event.json());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            json.path("funnel").fields().forEachRemaining(step -> funnel.merge("funnel." + step.getKey(),
                Long.parseLong(step.getValue().asText().replace("+", "")), Long::sum));
            if (json.has(STATUS_FIELD)) {
                lastStatus.put(event.key(), json.get(STATUS_FIELD).asText());
            }
        }

        BenchIndex.Expected expected(LeadTraffic.Totals totals) {
            Map<String, Long> statuses = new TreeMap<>();
            lastStatus.values().forEach(status -> statuses.merge(status, 1L, Long::sum));
            statuses.put(NONE, totals.requests() - lastStatus.size());
            return new BenchIndex.Expected(totals.requests(), totals.clicks(), totals.impressions(), funnel, statuses);
        }
    }

    /** @return every event of a backlog, for tests */
    static List<Event> all(Backlog backlog) {
        List<Event> events = new ArrayList<>();
        while (backlog.hasNext()) {
            events.add(backlog.next());
        }
        return events;
    }
}
