package io.github.requestmerge.merge;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import io.github.requestmerge.testing.Traffic;

/**
 * Merge cost on one thread (so events/s is per core) against a cache of a million requests, on a
 * reproducible stream ({@link RequestEvents}): each operation looks the request up in a
 * {@code HashMap} (standing in for the task's cache) and merges one small delta event into it with
 * the shared {@link StringPool}. Also the merge of a new request's full first event, and the cost of
 * writing one merged document (each flush) and of reading one back (each cache miss). Run with
 * {@code bin/bench-merge}; the heap per cached request is {@link MergeFootprint}'s.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
public class MergeBenchmark {

    static final String[] SOURCES = {"requests/0", "requests/1", "requests/2", "requests/3"};
    static final long T0 = 1_795_000_000_000L;
    static final int ID_LENGTH = 36;
    static final String INDEX = "requests";

    /** As the sink keys its cache: the document's index and id. */
    record DocumentKey(String index, String id) {
    }

    /**
     * The cache of merged requests and a stream of delta events for them. Each event is made as the
     * deserialiser would hand it over, fresh and so in the CPU cache: a new id string (from the ids of
     * all events, in event order, as a record's bytes arrive) put into one of a few hundred reused
     * delta maps. Pre-generating a million whole events instead would measure cache misses on the
     * events, which a sink never has.
     */
    @State(Scope.Thread)
    public static class Cache {

        /** How many requests the cache holds. */
        @Param({"1000000"})
        public int ids;

        /** Which request each delta is for: uniform over all of them, or Zipf-like (a few very active). */
        @Param({"uniform", "zipf"})
        public String distribution;

        /** The string pool: the worker's shared one, or none (-p pool=none) to see what pooling costs or saves. */
        @Param({"shared"})
        public String pool;

        /**
         * The cache stand-in: a {@code HashMap} by id (the merge's own cost plus the least a look-up
         * can cost), or (-p cache=caffeine) a Caffeine cache built as the sink's {@code StateCache}
         * builds it (bounded by weight, expiring after access, with statistics), keyed by index and
         * id as the sink keys it, to see what the sink's cache adds per event.
         */
        @Param({"hashmap"})
        public String cache;

        private static final int EVENTS = 1 << 20;
        private static final int TEMPLATES = 256;

        private Merger merger;
        private Map<String, MergedState> states;
        private com.github.benmanes.caffeine.cache.Cache<DocumentKey, MergedState> caffeine;
        private final byte[] idBytes = new byte[EVENTS * ID_LENGTH];
        private final byte[] sourceOfEvent = new byte[EVENTS];
        @SuppressWarnings("unchecked")
        private final Map<String, Object>[] templates = new Map[TEMPLATES];
        private int position;
        private long offset;
        private long time = T0;

        @Setup(Level.Trial)
        public void setUp() throws MergeConflictException {
            merger = new Merger(MergeRules.defaults(), "none".equals(pool) ? StringPool.none() : StringPool.shared());
            RequestEvents events = new RequestEvents(42L);
            states = new HashMap<>(ids * 4 / 3 + 1);
            if ("caffeine".equals(cache)) {
                // As StateCache with room for every request: the weight is its estimate of the state's bytes.
                caffeine = Caffeine.newBuilder()
                    .maximumWeight(Long.MAX_VALUE)
                    .weigher((DocumentKey key, MergedState state) ->
                        (int) Math.min(Integer.MAX_VALUE, 104 + key.id().length() + state.estimatedBytes()))
                    .expireAfterAccess(Duration.ofHours(1))
                    .recordStats()
                    .build();
            }
            byte[] allIds = new byte[ids * ID_LENGTH];
            for (int i = 0; i < ids; i++) {
                Map<String, Object> first = events.first(events.newId());
                String id = (String) first.get("id");
                MergedState state = new MergedState();
                merger.apply(state, new Event(id, first, time++, SOURCES[i % SOURCES.length], offset++));
                state.trim();
                if (states.put(id, state) != null) {
                    throw new IllegalStateException("ids collided");
                }
                if (caffeine != null) {
                    caffeine.put(new DocumentKey(INDEX, id), state);
                }
                System.arraycopy(id.getBytes(StandardCharsets.ISO_8859_1), 0, allIds, i * ID_LENGTH, ID_LENGTH);
            }
            double[] zipf = "zipf".equals(distribution) ? Traffic.zipfCdf(ids) : null;
            for (int e = 0; e < EVENTS; e++) {
                int request = zipf == null ? events.uniform(ids) : events.sample(zipf);
                System.arraycopy(allIds, request * ID_LENGTH, idBytes, e * ID_LENGTH, ID_LENGTH);
                sourceOfEvent[e] = (byte) (request % SOURCES.length);
            }
            for (int t = 0; t < TEMPLATES; t++) {
                templates[t] = events.delta("");
            }
            if (caffeine != null) {
                states = null;
            }
            System.gc();
        }

        private MergedState lookUp(String id) {
            return caffeine == null ? states.get(id) : caffeine.getIfPresent(new DocumentKey(INDEX, id));
        }

        /** Merges the next delta into its request; events keep their source and get ever larger offsets. */
        Merger.Outcome mergeNext() throws MergeConflictException {
            int e = position;
            position = (position + 1) & (EVENTS - 1);
            String id = new String(idBytes, e * ID_LENGTH, ID_LENGTH, StandardCharsets.ISO_8859_1);
            Map<String, Object> fields = templates[e & (TEMPLATES - 1)];
            fields.put("id", id);
            return merger.apply(lookUp(id), new Event(id, fields, time++, SOURCES[sourceOfEvent[e]], offset++));
        }

        /** The same steps as {@link #mergeNext} without the merge: what the cache stand-in costs. */
        MergedState lookUpNext() {
            int e = position;
            position = (position + 1) & (EVENTS - 1);
            String id = new String(idBytes, e * ID_LENGTH, ID_LENGTH, StandardCharsets.ISO_8859_1);
            templates[e & (TEMPLATES - 1)].put("id", id);
            return lookUp(id);
        }
    }

    /**
     * Full first events of requests not seen before: a few hundred reused events, each time with a
     * new id and IP address and fresh copies of its user agent and domain (as the deserialiser makes
     * them), so the string pool sees the same mix of new and repeated values as with a real stream.
     */
    @State(Scope.Thread)
    public static class NewRequests {

        private static final int EVENTS = 256;

        /** The string pool: the worker's shared one, or none (-p pool=none). */
        @Param({"shared"})
        public String pool;

        private Merger merger;
        @SuppressWarnings("unchecked")
        private final Map<String, Object>[] events = new Map[EVENTS];
        private final String[] userAgents = new String[EVENTS];
        private final String[] domains = new String[EVENTS];
        private final char[] id = new char[ID_LENGTH];
        private final StringBuilder ip = new StringBuilder(15);
        private int position;
        private long offset;
        private long time = T0;

        @Setup(Level.Trial)
        public void setUp() {
            merger = new Merger(MergeRules.defaults(), "none".equals(pool) ? StringPool.none() : StringPool.shared());
            RequestEvents stream = new RequestEvents(11L);
            for (int i = 0; i < EVENTS; i++) {
                events[i] = stream.first(stream.newId());
                userAgents[i] = (String) events[i].get("useragent");
                domains[i] = (String) events[i].get("domain");
            }
        }

        /** Merges the next first event into a new state, as for a request the cache has not seen. */
        MergedState mergeNext() throws MergeConflictException {
            int e = position;
            position = (position + 1) & (EVENTS - 1);
            Map<String, Object> event = events[e];
            long n = offset;
            ((String) event.get("id")).getChars(0, ID_LENGTH, id, 0);
            for (int i = ID_LENGTH - 1; i >= 24; i--, n >>>= 4) {
                id[i] = Character.forDigit((int) (n & 15), 16);
            }
            String requestId = new String(id);
            event.put("id", requestId);
            long mixed = offset * 0x9E3779B97F4A7C15L;
            ip.setLength(0);
            ip.append(1 + (mixed >>> 56) % 223).append('.').append(mixed >>> 48 & 255).append('.')
                .append(mixed >>> 40 & 255).append('.').append(1 + (mixed >>> 32 & 255) % 254);
            event.put("ipaddress", ip.toString());
            event.put("useragent", new String(userAgents[e].toCharArray()));
            event.put("domain", new String(domains[e].toCharArray()));
            MergedState state = new MergedState();
            merger.apply(state, new Event(requestId, event, time++, SOURCES[e & 3], offset++));
            state.trim();
            return state;
        }
    }

    /**
     * A few hundred merged documents, in state and in stored form: few enough to stay in the CPU cache,
     * as a document just fetched and parsed is (with 4,096, the read measured mostly cache misses on
     * the parsed trees). Writing a state that has left the cache costs a few misses more.
     */
    @State(Scope.Thread)
    public static class Documents {

        private static final int COUNT = 256;

        private final StateJson stateJson = new StateJson(MergeRules.defaults(), StringPool.shared());
        /** As the sink would parse a document fetched from Elasticsearch: decimals exact. */
        private final ObjectMapper mapper = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);
        private final MergedState[] states = new MergedState[COUNT];
        private final byte[][] stored = new byte[COUNT][];
        private final JsonNode[] parsed = new JsonNode[COUNT];
        private int position;

        @Setup(Level.Trial)
        public void setUp() throws Exception {
            RequestEvents events = new RequestEvents(7L);
            Merger merger = new Merger(MergeRules.defaults(), StringPool.shared());
            long offset = 0;
            for (int i = 0; i < COUNT; i++) {
                String id = events.newId();
                MergedState state = new MergedState();
                merger.apply(state, new Event(id, events.first(id), T0, SOURCES[i % SOURCES.length], offset++));
                for (int d = 0; d < 3; d++) {
                    merger.apply(state, new Event(id, events.delta(id), T0 + 1000 * d, SOURCES[i % SOURCES.length],
                        offset++));
                }
                state.trim();
                states[i] = state;
                stored[i] = stateJson.write(state);
                parsed[i] = mapper.readTree(stored[i]);
            }
            int bytes = 0;
            for (byte[] document : stored) {
                bytes += document.length;
            }
            System.out.println();
            System.out.println("mean stored document: " + bytes / COUNT + " bytes");
        }

        int next() {
            int i = position;
            position = (position + 1) & (COUNT - 1);
            return i;
        }
    }

    /** Look-up plus merge of one delta event: events/s on one core with a million cached requests. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public Merger.Outcome mergeDelta(Cache cache) throws MergeConflictException {
        return cache.mergeNext();
    }

    /**
     * Only the look-up of {@link #mergeDelta} (a new id string, a hash map look-up in a million
     * states): the part of its time that is the stand-in cache rather than the merge.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public MergedState lookUpOnly(Cache cache) {
        return cache.lookUpNext();
    }

    /** Merge of the first, full event of a new request into a new state (no cache look-up). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public MergedState mergeFirstEvent(NewRequests requests) throws MergeConflictException {
        return requests.mergeNext();
    }

    /** One merged document to JSON bytes, as each flush to Elasticsearch does. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public byte[] writeDocument(Documents documents) {
        return documents.stateJson.write(documents.states[documents.next()]);
    }

    /** One stored document back to state, from the bytes Elasticsearch returns (parse + read). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public MergedState readDocument(Documents documents) throws Exception {
        return documents.stateJson.read(documents.mapper.readTree(documents.stored[documents.next()]));
    }

    /** Only the read from an already parsed tree (what {@link StateJson#read} itself costs). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public MergedState readParsedDocument(Documents documents) {
        return documents.stateJson.read(documents.parsed[documents.next()]);
    }
}
