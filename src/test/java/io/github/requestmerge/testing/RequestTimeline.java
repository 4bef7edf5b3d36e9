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
 * times): what integration tests compare Elasticsearch against.
 */
public final class RequestTimeline {

    /** One event as produced to Kafka: partition, key (the id), JSON value, timestamp. */
    public record Event(int partition, String id, String json, long timestamp) {
    }

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);
    private static final String[] DOMAINS = {"somewhere.net", "example.org", "leads.example.com", "shop.example"};

    private final List<Event> events = new ArrayList<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private final Map<String, Integer> partitionOf = new LinkedHashMap<>();

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
        Random random = new Random(seed);
        // An hour ago, to the second: brokers refuse timestamps too far in the future (Kafka 4:
        // one hour) and may delete very old ones.
        long base = (System.currentTimeMillis() / 1000 - 3600) * 1000;
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

    /** @return every event in production order */
    public List<Event> events() {
        return events;
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

    /** Compares numbers by value and everything else exactly (the equality Jackson's comparator hook adds). */
    public static final Comparator<JsonNode> NUMERIC = (a, b) -> {
        if (a instanceof NumericNode && b instanceof NumericNode) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };
}
