package io.github.requestmerge.testing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NumericNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A reproducible stream of request events over several partitions, with the merged documents they
 * must produce computed here independently of the connector (plain sums, last values, min/max
 * times): what integration tests compare Elasticsearch against. Optionally with a few bad records
 * mixed in, each of a kind whose fate is known: it goes to the dead letter queue and changes no
 * document.
 */
public final class RequestTimeline {

    /** A record the connector must reject (to the dead letter queue), and why. */
    public enum Bad {
        /** A record without a key: the id comes from the key. */
        NULL_KEY("record key: no id (null)"),
        /** A value the JSON converter cannot read: the converter's own failure, whose wording is Kafka's. */
        NOT_JSON(null),
        /** JSON, but not an object. */
        JSON_ARRAY("the value must be a JSON object or a Struct, found an array"),
        /**
         * A delta on the string field {@code domain} of an id whose first event set it, with a
         * {@code clicks} delta too: the event is rejected as a whole, so the clicks must not count.
         */
        MERGE_CONFLICT("field 'domain': delta +1 on a field holding a string, not a number");

        private final String reason;

        Bad(String reason) {
            this.reason = reason;
        }

        /** @return what the connector's reason says, or null when the reason is not the connector's */
        public String reason() {
            return reason;
        }
    }

    /**
     * One record as produced to Kafka: partition, key (the id; null for {@link Bad#NULL_KEY}), value
     * (JSON, except for {@link Bad#NOT_JSON}), timestamp, and what is wrong with it (null: nothing).
     */
    public record Event(int partition, String id, String json, long timestamp, Bad bad) {

        public Event(int partition, String id, String json, long timestamp) {
            this(partition, id, json, timestamp, null);
        }

        public boolean isBad() {
            return bad != null;
        }
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final String[] DOMAINS = {"somewhere.net", "example.org", "leads.example.com", "shop.example"};

    private final List<Event> events = new ArrayList<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private final Map<String, Integer> partitionOf = new LinkedHashMap<>();
    /** The earliest event time a good event can have. */
    private long base;

    private static final class Expected {
        int source;
        String domain;
        long clicks;
        long impressions;
        String price;
        BigDecimal uptick;
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
    }

    /**
     * @param ids distinct request ids
     * @param eventsPerId events of each id (the first one full, the others deltas)
     * @param partitions ids are spread over this many partitions (one partition per id)
     * @param seed makes the stream reproducible
     */
    public RequestTimeline(int ids, int eventsPerId, int partitions, long seed) {
        this(ids, eventsPerId, partitions, seed, 0);
    }

    /**
     * The same stream (the good events are those of the constructor without bad records) with
     * {@code badOfEachKind} records of every {@link Bad} kind inserted at random places; a merge
     * conflict always after the first event of its id, on the id's partition.
     */
    public RequestTimeline(int ids, int eventsPerId, int partitions, long seed, int badOfEachKind) {
        generate(ids, eventsPerId, partitions, seed);
        if (badOfEachKind > 0) {
            insertBad(badOfEachKind, eventsPerId, partitions, new Random(seed * 31 + 17));
        }
    }

    private void generate(int ids, int eventsPerId, int partitions, long seed) {
        Random random = new Random(seed);
        // An hour ago, to the second: brokers refuse timestamps too far in the future (Kafka 4:
        // one hour) and may delete very old ones.
        long base = (System.currentTimeMillis() / 1000 - 3600) * 1000;
        this.base = base;
        List<List<String>> perId = new ArrayList<>();
        for (int i = 0; i < ids; i++) {
            String id = "req-" + seed + "-" + i;
            partitionOf.put(id, Math.floorMod(id.hashCode(), partitions));
            expected.put(id, new Expected());
            perId.add(new ArrayList<>());
        }
        // Interleave ids: each round emits the next event of a random subset of ids.
        int[] emitted = new int[ids];
        int remaining = ids * eventsPerId;
        List<String> idList = new ArrayList<>(expected.keySet());
        while (remaining > 0) {
            int i = random.nextInt(ids);
            if (emitted[i] == eventsPerId) {
                continue;
            }
            String id = idList.get(i);
            Expected e = expected.get(id);
            // Event times are not in offset order: created/updated must still be min/max.
            long timestamp = base + emitted[i] * 1000L + random.nextInt(5000);
            String json;
            if (emitted[i] == 0) {
                e.source = 1 + random.nextInt(5);
                e.domain = DOMAINS[random.nextInt(DOMAINS.length)];
                long clicks = random.nextInt(3);
                long impressions = 1 + random.nextInt(9);
                e.clicks += clicks;
                e.impressions += impressions;
                e.price = (1 + random.nextInt(400)) / 100 + "." + String.format("%02d", random.nextInt(100));
                json = "{\"id\":\"" + id + "\",\"source\":" + e.source + ",\"domain\":\"" + e.domain + "\",\"clicks\":\"+"
                    + clicks + "\",\"impressions\":\"+" + impressions + "\",\"price\":" + e.price + "}";
            } else if (random.nextBoolean()) {
                long clicks = random.nextInt(4);
                long impressions = random.nextInt(7) - 1;
                e.clicks += clicks;
                e.impressions += impressions;
                json = "{\"id\":\"" + id + "\",\"clicks\":\"+" + clicks + "\",\"impressions\":\""
                    + (impressions < 0 ? "" : "+") + impressions + "\"}";
            } else {
                BigDecimal uptick = new BigDecimal(random.nextInt(300)).movePointLeft(2);
                e.uptick = e.uptick == null ? uptick : e.uptick.add(uptick);
                json = "{\"id\":\"" + id + "\",\"uptick\":\"+" + uptick.toPlainString() + "\",\"impressions\":\"+1\"}";
                e.impressions += 1;
            }
            e.first = Math.min(e.first, timestamp);
            e.last = Math.max(e.last, timestamp);
            events.add(new Event(partitionOf.get(id), id, json, timestamp));
            emitted[i]++;
            remaining--;
        }
    }

    private void insertBad(int ofEachKind, int eventsPerId, int partitions, Random random) {
        Map<String, Integer> firstEvent = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            firstEvent.putIfAbsent(events.get(i).id(), i);
        }
        List<String> idList = ids();
        // Later than any good event of its id: a conflict that did leak into a document would show in updated_at.
        long late = base + eventsPerId * 1000L + 10_000;
        // Insert before good event number `position`; equal positions keep the order drawn.
        List<Map.Entry<Integer, Event>> inserts = new ArrayList<>();
        for (Bad kind : Bad.values()) {
            for (int n = 0; n < ofEachKind; n++) {
                String id = idList.get(random.nextInt(idList.size()));
                int position = random.nextInt(events.size() + 1);
                long timestamp = base + random.nextInt(eventsPerId * 1000);
                Event event = switch (kind) {
                    case NULL_KEY -> new Event(random.nextInt(partitions), null, "{\"clicks\":\"+1\"}", timestamp, kind);
                    case NOT_JSON -> new Event(partitionOf(id), id, "{not json", timestamp, kind);
                    case JSON_ARRAY -> new Event(partitionOf(id), id, "[1,2,3]", timestamp, kind);
                    case MERGE_CONFLICT -> {
                        int first = firstEvent.get(id);
                        position = first + 1 + random.nextInt(events.size() - first);
                        yield new Event(partitionOf(id), id, "{\"id\":\"" + id + "\",\"clicks\":\"+5\",\"domain\":\"+1\"}",
                            late, kind);
                    }
                };
                inserts.add(Map.entry(position, event));
            }
        }
        inserts.sort(Map.Entry.comparingByKey());
        List<Event> merged = new ArrayList<>(events.size() + inserts.size());
        int next = 0;
        for (int i = 0; i <= events.size(); i++) {
            while (next < inserts.size() && inserts.get(next).getKey() == i) {
                merged.add(inserts.get(next++).getValue());
            }
            if (i < events.size()) {
                merged.add(events.get(i));
            }
        }
        events.clear();
        events.addAll(merged);
    }

    /** @return every event in production order, bad ones included */
    public List<Event> events() {
        return events;
    }

    /** @return how many of the events are bad */
    public long badCount() {
        return events.stream().filter(Event::isBad).count();
    }

    public List<String> ids() {
        return new ArrayList<>(expected.keySet());
    }

    public int partitionOf(String id) {
        return partitionOf.get(id);
    }

    /** @return the merged document an id must have, without the metadata object */
    public ObjectNode expected(String id) {
        Expected e = expected.get(id);
        ObjectNode doc = NODES.objectNode();
        doc.put("id", id);
        doc.put("source", e.source);
        doc.put("domain", e.domain);
        doc.put("clicks", e.clicks);
        doc.put("impressions", e.impressions);
        doc.put("price", new BigDecimal(e.price));
        if (e.uptick != null) {
            doc.put("uptick", e.uptick);
        }
        doc.put("created_at", Instant.ofEpochMilli(e.first).toString());
        doc.put("updated_at", Instant.ofEpochMilli(e.last).toString());
        return doc;
    }

    /**
     * @return true when a stored document (its metadata object removed) equals the expected one,
     *     numbers compared by value (4.5 equals 4.50)
     */
    public boolean matches(String id, JsonNode stored) {
        if (stored == null) {
            return false;
        }
        ObjectNode actual = ((ObjectNode) stored).deepCopy();
        actual.remove("_merge");
        return expected(id).equals(NUMERIC, actual);
    }

    /**
     * @return one line per id whose document in the index differs from the expected one (or is
     *     missing), saying what was expected and found; empty when all match
     */
    public List<String> mismatches(Documents documents, String index) {
        List<String> wrong = new ArrayList<>();
        for (String id : ids()) {
            JsonNode stored = documents.get(index, id);
            if (!matches(id, stored)) {
                wrong.add(id + ": expected " + expected(id) + " but was " + stored);
            }
        }
        return wrong;
    }

    /**
     * @return one line per id whose document differs from the expected one (or is missing), and one
     *     per document of an id that is not expected at all; empty when {@code stored} is exactly right
     */
    public List<String> mismatches(Map<String, JsonNode> stored) {
        List<String> wrong = new ArrayList<>();
        for (String id : ids()) {
            if (!matches(id, stored.get(id))) {
                wrong.add(id + ": expected " + expected(id) + " but was " + stored.get(id));
            }
        }
        for (String id : stored.keySet()) {
            if (!expected.containsKey(id)) {
                wrong.add(id + ": not expected, but stored as " + stored.get(id));
            }
        }
        return wrong;
    }

    /**
     * The fields events only ever add to (impressions also get -1 deltas, so they are left out): a lost
     * event shows as a counter too low, one counted twice as a counter too high.
     */
    public static final List<String> COUNTERS = List.of("clicks", "uptick");

    /** Compares numbers by value and everything else exactly (the equality Jackson's comparator hook adds). */
    public static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a instanceof NumericNode && b instanceof NumericNode) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };
}
