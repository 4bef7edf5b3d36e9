package io.github.requestmerge.traffic;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.Traffic;

/**
 * Reproducible lead traffic as a stream of events in send order: many requests (a visitor on a lead
 * form), each a timeline of events spread over {@link Shape#minSpan()} to {@link Shape#maxSpan()}.
 * A request's first event carries the IP address, user agent, domain, source and price; later ones
 * are deltas ({@code "clicks":"+2"}), nested counters ({@code "funnel":{"step3":"+1"}}) and scalar
 * changes ({@code "status":"contacted"}, a new {@code price}). IP addresses (public IPv4) and user
 * agents (the most common real ones) repeat with Zipf-like popularity. A share of
 * {@link Shape#badShare()} of the events is a bad record of one of the kinds of {@link Bad}.
 *
 * <p>Events come at exactly {@link Shape#eventsPerSecond()}: event {@code n} is due at
 * {@code n * 1000 / eventsPerSecond} ms. New requests start at the rate that, with their mean
 * number of events, makes up that rate; each other slot goes to the request event due first (early
 * in the run, while few requests are under way, events come somewhat before their time). The same
 * seed and shape give the same events; what was handed out so far is summed up in {@link #totals()}.
 * Memory is bounded by the requests under way, so a long backlog can be streamed.
 *
 * <p>Not thread-safe: one thread iterates.
 */
public final class LeadTraffic implements Iterator<LeadTraffic.Event> {

    /** A record the merging sink must send to its dead letter queue, and what its reason says. */
    public enum Bad {
        /** A value the JSON converter cannot read (the reason is the converter's). */
        NOT_JSON("Converting byte[] to Kafka Connect data failed"),
        /** A delta on the string field {@code domain} of a request under way, with clicks that must not count. */
        DELTA_ON_STRING("delta +1 on a field holding a string, not a number"),
        /** A record without a key: the id comes from the key. */
        NO_ID("no id");

        private final String reason;

        Bad(String reason) {
            this.reason = reason;
        }

        /** @return a part of the reason the dead letter queue's header carries for this kind */
        public String reason() {
            return reason;
        }
    }

    /**
     * One record to produce: when it is due (ms after the start of the traffic), its key (the request
     * id; null for {@link Bad#NO_ID}), its value, and what is wrong with it (null: nothing).
     */
    public record Event(long atMillis, String key, String json, Bad bad) {

        public boolean isBad() {
            return bad != null;
        }
    }

    /**
     * How the traffic looks.
     *
     * @param eventsPerSecond the steady rate events are due at
     * @param events how many events in all
     * @param minSpan the shortest time from a request's first event to its last
     * @param maxSpan the longest
     * @param meanEventsPerRequest the mean number of events of a request (at least 2)
     * @param badShare the share of bad records, from 0 to 1
     */
    public record Shape(int eventsPerSecond, long events, Duration minSpan, Duration maxSpan, int meanEventsPerRequest,
                        double badShare) {

        public Shape {
            if (eventsPerSecond < 1 || events < 0 || minSpan.isNegative() || maxSpan.compareTo(minSpan) < 0
                || meanEventsPerRequest < 2 || badShare < 0 || badShare > 1) {
                throw new IllegalArgumentException("impossible traffic shape " + thisToString(eventsPerSecond, events,
                    minSpan, maxSpan, meanEventsPerRequest, badShare));
            }
        }

        /**
         * Traffic of {@code eventsPerSecond} for {@code duration}, whose requests span a fifth to a half of
         * it (at most 12 s to 60 s: tens of seconds to a minute in a two-minute run), 6 events each on
         * average, 0.1% of them bad.
         */
        public static Shape over(Duration duration, int eventsPerSecond) {
            long millis = duration.toMillis();
            return new Shape(eventsPerSecond, millis * eventsPerSecond / 1000, Duration.ofMillis(Math.min(12_000, millis / 5)),
                Duration.ofMillis(Math.min(60_000, millis / 2)), 6, 0.001);
        }

        private static String thisToString(int eventsPerSecond, long events, Duration minSpan, Duration maxSpan,
                                           int meanEventsPerRequest, double badShare) {
            return String.format(Locale.ROOT, "(%d events/s, %d events, spans %s-%s, %d events per request, %.4f bad)",
                eventsPerSecond, events, minSpan, maxSpan, meanEventsPerRequest, badShare);
        }
    }

    /** What the events handed out so far add up to, when the sink merged every good one. */
    public static final class Totals {
        private long events;
        private long goodEvents;
        private long requests;
        private long clicks;
        private long impressions;
        private final Map<Bad, Long> bad = new LinkedHashMap<>();
        private final Map<String, long[]> byDomain = new LinkedHashMap<>();

        /** @return every event handed out, bad ones included */
        public long events() {
            return events;
        }

        public long goodEvents() {
            return goodEvents;
        }

        /** @return requests started: the documents the merged index holds */
        public long requests() {
            return requests;
        }

        public long clicks() {
            return clicks;
        }

        public long impressions() {
            return impressions;
        }

        /** @return bad records by kind */
        public Map<Bad, Long> bad() {
            return Map.copyOf(bad);
        }

        public long badEvents() {
            return bad.values().stream().mapToLong(Long::longValue).sum();
        }

        /** @return per domain: requests, clicks, impressions */
        public Map<String, long[]> byDomain() {
            Map<String, long[]> copy = new LinkedHashMap<>();
            byDomain.forEach((domain, sums) -> copy.put(domain, sums.clone()));
            return copy;
        }
    }

    /** Lead-form sites (fictional, under the reserved .example top-level domain), most popular first. */
    static final List<String> DOMAINS = List.of("autoquotes.example", "homeloans.example", "solar-savings.example",
        "insure-my-pet.example", "degree-finder.example", "movers-compare.example", "dental-plans.example",
        "roofing-pros.example", "lawyer-match.example", "travel-deals.example");
    private static final String[] STATUSES = {"contacted", "qualified", "quoted", "sold", "lost"};
    private static final int IPS = 5_000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Shape shape;
    private final String idPrefix;
    private final SplittableRandom random;
    private final String[] ips;
    private final double[] ipCdf;
    private final String[] agents;
    private final double[] agentCdf;
    private final double[] domainCdf;
    private final long startEveryMicros;
    private final PriorityQueue<Pending> pending = new PriorityQueue<>();
    private final Totals totals = new Totals();
    private long next;
    private long started;
    private long scheduled;
    private Request lastStarted;

    /** A request under way: what the events still to come need. */
    private static final class Request {
        final String id;
        final String domain;
        final long[] domainSums;
        int funnelStep = 1;

        Request(String id, String domain, long[] domainSums) {
            this.id = id;
            this.domain = domain;
            this.domainSums = domainSums;
        }
    }

    /** A later event of a request, due at a time; ties go in the order the events were scheduled. */
    private record Pending(long dueMillis, long order, Request request) implements Comparable<Pending> {
        @Override
        public int compareTo(Pending other) {
            int byTime = Long.compare(dueMillis, other.dueMillis);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }

    /**
     * @param seed makes the traffic reproducible; it also names the ids ({@code lead-<seed>-<n>}), so
     *     traffic of another seed never touches the same documents
     * @param userAgents real user agents, most popular first
     */
    public LeadTraffic(long seed, Shape shape, List<String> userAgents) {
        if (userAgents.isEmpty()) {
            throw new IllegalArgumentException("no user agents");
        }
        this.shape = shape;
        this.idPrefix = "lead-" + Long.toString(seed, 36) + "-";
        this.random = new SplittableRandom(seed);
        ips = new String[IPS];
        for (int i = 0; i < IPS; i++) {
            ips[i] = Traffic.publicIpv4(random);
        }
        ipCdf = Traffic.zipfCdf(IPS);
        agents = userAgents.toArray(new String[0]);
        agentCdf = Traffic.zipfCdf(agents.length);
        domainCdf = Traffic.zipfCdf(DOMAINS.size());
        startEveryMicros = 1_000_000L * shape.meanEventsPerRequest() / shape.eventsPerSecond();
    }

    /** Traffic with the 100 most common real user agents of the test data (bin/fetch-test-data). */
    public static LeadTraffic withTestData(long seed, Shape shape) {
        return new LeadTraffic(seed, shape, topUserAgents());
    }

    /** @return the most common real user agents, most popular first (top-user-agents.json of the test data) */
    public static List<String> topUserAgents() {
        try {
            List<String> agents = new ArrayList<>();
            for (JsonNode agent : JSON.readTree(TestData.file("top-user-agents.json").toFile())) {
                agents.add(agent.asText());
            }
            return agents;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Shape shape() {
        return shape;
    }

    /** @return what the events handed out so far add up to (updated by {@link #next()}) */
    public Totals totals() {
        return totals;
    }

    @Override
    public boolean hasNext() {
        return next < shape.events();
    }

    @Override
    public Event next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        long n = next++;
        long at = n * 1000 / shape.eventsPerSecond();
        totals.events++;
        if (shape.badShare() > 0 && random.nextDouble() < shape.badShare()) {
            Event bad = bad(at, Bad.values()[random.nextInt(Bad.values().length)]);
            totals.bad.merge(bad.bad(), 1L, Long::sum);
            return bad;
        }
        totals.goodEvents++;
        // An event of a request under way when one is due (late, when more are due than slots come); else a new request.
        boolean due = !pending.isEmpty() && pending.peek().dueMillis() <= at;
        return due ? later(at, pending.poll().request()) : start(at);
    }

    private Event start(long at) {
        String id = idPrefix + started++;
        String domain = DOMAINS.get(Traffic.zipfSample(domainCdf, random.nextDouble()));
        Request request = new Request(id, domain, totals.byDomain.computeIfAbsent(domain, key -> new long[3]));
        lastStarted = request;
        totals.requests++;
        request.domainSums[0]++;
        // 2 or more events, geometric around the mean; spread over a span, the times of the later ones drawn in it.
        int events = 2;
        double more = 1.0 - 1.0 / (shape.meanEventsPerRequest() - 1);
        while (events < 40 && random.nextDouble() < more) {
            events++;
        }
        long span = shape.minSpan().toMillis()
            + (long) (random.nextDouble() * (shape.maxSpan().toMillis() - shape.minSpan().toMillis()));
        long[] offsets = new long[events - 1];
        for (int i = 0; i < offsets.length; i++) {
            offsets[i] = 1 + (long) (random.nextDouble() * span);
        }
        Arrays.sort(offsets);
        for (long offset : offsets) {
            pending.add(new Pending(at + offset, scheduled++, request));
        }
        long clicks = random.nextInt(2);
        long impressions = 1 + random.nextInt(3);
        count(request, clicks, impressions);
        ObjectNode event = JSON.createObjectNode();
        event.put("id", id);
        event.put("source", 1 + random.nextInt(5));
        event.put("ipaddress", ips[Traffic.zipfSample(ipCdf, random.nextDouble())]);
        event.put("useragent", agents[Traffic.zipfSample(agentCdf, random.nextDouble())]);
        event.put("domain", domain);
        event.put("price", price());
        event.put("clicks", "+" + clicks);
        event.put("impressions", "+" + impressions);
        event.putObject("funnel").put("step1", "+1");
        return new Event(at, id, event.toString(), null);
    }

    private Event later(long at, Request request) {
        ObjectNode event = JSON.createObjectNode();
        event.put("id", request.id);
        double kind = random.nextDouble();
        if (kind < 0.55) {
            long clicks = random.nextInt(4);
            long impressions = random.nextInt(6);
            count(request, clicks, impressions);
            event.put("clicks", "+" + clicks);
            event.put("impressions", "+" + impressions);
        } else if (kind < 0.8) {
            request.funnelStep = Math.min(6, request.funnelStep + 1);
            event.putObject("funnel").put("step" + request.funnelStep, "+1");
            long impressions = 1;
            count(request, 0, impressions);
            event.put("impressions", "+1");
        } else if (kind < 0.92) {
            event.put("status", STATUSES[random.nextInt(STATUSES.length)]);
        } else {
            event.put("price", price());
        }
        return new Event(at, request.id, event.toString(), null);
    }

    private void count(Request request, long clicks, long impressions) {
        totals.clicks += clicks;
        totals.impressions += impressions;
        request.domainSums[1] += clicks;
        request.domainSums[2] += impressions;
    }

    private Event bad(long at, Bad kind) {
        return switch (kind) {
            case NOT_JSON -> {
                String id = lastStarted != null ? lastStarted.id : idPrefix + "0";
                yield new Event(at, id, "{\"id\":\"" + id + "\",\"clicks\":\"+1\"", kind);
            }
            case DELTA_ON_STRING -> lastStarted == null ? bad(at, Bad.NO_ID)
                // The request's first event (which set the domain) went out already, on the same partition.
                : new Event(at, lastStarted.id, "{\"id\":\"" + lastStarted.id + "\",\"clicks\":\"+5\",\"domain\":\"+1\"}", kind);
            case NO_ID -> new Event(at, null, "{\"clicks\":\"+1\",\"impressions\":\"+1\"}", kind);
        };
    }

    /** @return the price of a lead: 0.50 to 40.00, most of them low */
    private BigDecimal price() {
        double u = random.nextDouble();
        return BigDecimal.valueOf(50 + (long) (u * u * 3950), 2);
    }
}
