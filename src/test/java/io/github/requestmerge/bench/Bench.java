package io.github.requestmerge.bench;

import static io.github.requestmerge.bench.Report.count;
import static io.github.requestmerge.bench.Report.decimal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * {@code bin/bench}: the whole pipeline against the machine's ceilings, in one run on one stack.
 * <ol>
 *   <li>For each backlog shape ({@link Backlog}: lead traffic's sessions in time order, the same events
 *       scattered, or the synthetic uniform one), N events pre-produced to a fresh topic, then:
 *     <ul>
 *       <li>the read ceiling: a no-op sink through the same worker, converters and consumer settings, timed
 *           until Connect has handed it every event ({@link EndToEndBench}'s read ceiling);</li>
 *       <li>the merging sink's catch-up (the shipped config, one task per partition), timed until Elasticsearch
 *           holds the exact result ({@link EndToEndBench}'s catch-up phase): events/s, index operations and
 *           documents read per final document, peak heap and resident memory, CPU per process;</li>
 *       <li>the write ceiling: the catch-up's final documents bulk-indexed once each, straight into the same
 *           node ({@link CeilingBench}).</li>
 *     </ul>
 *     The sink's time over the larger ceiling ("x ideal") is set beside the targets.</li>
 *   <li>Live: stepped rates, each a percentage of the first backlog's catch-up events/s, each for a fixed time
 *       after a warm-up, with the reporting delay (produce to visible in a realtime GET) p50/p95/p99/max
 *       ({@link EndToEndBench}'s live phase, a new connector and topic per step on the same, warm worker).</li>
 * </ol>
 * Output: {@code bench.json}, {@code bench.md} (the tables the README shows) and {@code delay.svg} (delay
 * against rate) in the output folder, plus each phase's full report beside them. Speed is only reported,
 * never asserted: targets are printed as met or not met.
 */
public final class Bench {

    static final String USAGE = String.join("\n",
        "usage: bin/bench [--quick] [options]",
        "  --quick             a first look in a few minutes: 200k events a backlog, steps 25,50,100 % of 10 s",
        "  --backlog A,B,...   catch-up backlogs, in order (default sessions,scattered):",
        "                        sessions   lead traffic: sessions of 2-40 events over 1-5 min, in time order",
        "                        scattered  the same events, each id's scattered over the whole backlog",
        "                        uniform    synthetic requests, --ids of them, as many events each",
        "  --events N          events of each backlog (default 1.1m: about 206k final documents of lead traffic)",
        "  --ids N             request ids of the uniform backlog (default 100k)",
        "  --backlog-minutes M the backlog's traffic took M minutes before it was produced (default 10)",
        "  --partitions P      topic partitions and tasks (default 4)",
        "  --steps A,B,...     live rates in % of the first backlog's catch-up events/s (default 10,25,50,75,100)",
        "  --step-seconds S    measured time of each live step (default 30)",
        "  --warmup S          unmeasured time at the step's rate before it (default 10)",
        "  --set KEY=VALUE     override a connector setting in every phase (repeatable), e.g.",
        "                      --set catchup.checkpoint.interval.ms=0",
        "  --out DIR           output folder (default target/bench)",
        "Numbers take k and m suffixes.");

    /** The targets: catch-up time at most this many times the larger ceiling, by backlog. */
    static final Map<Backlog.Shape, Double> X_IDEAL_TARGETS = Map.of(Backlog.Shape.SESSIONS, 3.0,
        Backlog.Shape.SCATTERED, 7.0);
    /** The live target: delay p99 at most this at {@link #LIVE_TARGET_PERCENT} of the catch-up rate. */
    static final double LIVE_TARGET_P99_MS = 1000;
    static final int LIVE_TARGET_PERCENT = 50;
    /** Events of each request in the live phase (its synthetic workload). */
    private static final int LIVE_EVENTS_PER_ID = 10;

    private List<Backlog.Shape> backlogs = List.of(Backlog.Shape.SESSIONS, Backlog.Shape.SCATTERED);
    private long events = 1_100_000;
    private long ids = 100_000;
    private int backlogMinutes = 10;
    private int partitions = 4;
    private List<Integer> steps = List.of(10, 25, 50, 75, 100);
    private int stepSeconds = 30;
    private int warmup = 10;
    private final List<String> overrides = new ArrayList<>();
    private Path out = Paths.get("target/bench");
    private boolean quick;

    private Bench() {
    }

    public static void main(String[] args) throws Exception {
        Bench bench;
        try {
            bench = parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("bin/bench: " + e.getMessage());
            }
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        Path state = Paths.get(System.getProperty("stack.dir", "target/stack")).resolve("stack.properties");
        Properties stack = new Properties();
        try (var reader = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
            stack.load(reader);
        }
        JsonNode result = bench.run(stack);
        System.exit(result.has("failure") ? 1 : 0);
    }

    static Bench parse(String[] args) {
        Bench bench = new Bench();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--quick")) {
                bench.quick = true;
                bench.events = 200_000;
                bench.ids = 20_000;
                bench.steps = List.of(25, 50, 100);
                bench.stepSeconds = 10;
                bench.warmup = 5;
                continue;
            }
            if (arg.equals("-h") || arg.equals("--help")) {
                throw new IllegalArgumentException("");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(arg + " needs a value");
            }
            String value = args[++i];
            switch (arg) {
                case "--events": bench.events = number(arg, value); break;
                case "--ids": bench.ids = number(arg, value); break;
                case "--backlog-minutes": bench.backlogMinutes = (int) number(arg, value); break;
                case "--partitions": bench.partitions = (int) number(arg, value); break;
                case "--step-seconds": bench.stepSeconds = (int) number(arg, value); break;
                case "--warmup": bench.warmup = (int) number(arg, value); break;
                case "--out": bench.out = Paths.get(value); break;
                case "--set": bench.overrides.add(value); break;
                case "--backlog":
                    List<Backlog.Shape> shapes = new ArrayList<>();
                    for (String shape : value.split(",")) {
                        shapes.add(Backlog.Shape.parse(shape));
                    }
                    bench.backlogs = shapes;
                    break;
                case "--steps":
                    List<Integer> percents = new ArrayList<>();
                    for (String percent : value.split(",")) {
                        percents.add((int) number(arg, percent.trim()));
                    }
                    bench.steps = percents;
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (bench.backlogs.contains(Backlog.Shape.UNIFORM) && bench.events < bench.ids) {
            throw new IllegalArgumentException("--events (" + bench.events + ") must be at least --ids (" + bench.ids
                + ") for the uniform backlog: every id gets a first event");
        }
        return bench;
    }

    private static long number(String option, String text) {
        return BenchOptions.number(option, text, 1);
    }

    /** Runs every phase on the stack, writes the results, and returns them. */
    JsonNode run(Properties stack) throws Exception {
        Files.createDirectories(out);
        ObjectNode result = Report.JSON.createObjectNode();
        result.put("quick", quick);
        result.putArray("overrides").addAll(overrides.stream().map(Report.JSON.getNodeFactory()::textNode).toList());
        ArrayNode backlogsJson = result.putArray("backlogs");
        for (Backlog.Shape shape : backlogs) {
            ObjectNode backlog = backlogsJson.addObject();
            backlog.put("backlog", shape.toString()).put("description", shape.description());
            catchUp(shape, stack, result, backlog);
            if (backlog.has("failure") && !result.has("failure")) {
                result.put("failure", shape + " catch-up: " + backlog.path("failure").asText());
            }
        }

        JsonNode base = null;
        for (JsonNode backlog : backlogsJson) {
            if (!backlog.has("failure")) {
                base = backlog;
                break;
            }
        }
        if (base == null) {
            return finish(result);
        }
        double catchUpRate = base.path("sink").path("events_per_second").asDouble();
        result.put("catchup_events_per_s", catchUpRate).put("live_rate_of", base.path("backlog").asText());
        ArrayNode stepsJson = result.putArray("steps");
        for (int percent : steps) {
            int rate = (int) Math.max(1, Math.round(catchUpRate * percent / 100.0));
            JsonNode report = EndToEndBench.run(phase(List.of("--only", "live", "--rate", String.valueOf(rate),
                "--seconds", String.valueOf(stepSeconds), "--warmup", String.valueOf(warmup), "--seed",
                String.valueOf(1000 + percent), "--out", out.resolve("live-" + percent + ".json").toString())), stack);
            JsonNode live = report.path("live");
            ObjectNode step = stepsJson.addObject();
            step.put("percent_of_catchup", percent).put("rate", rate)
                .put("achieved_events_per_s", live.path("events_per_second").asDouble())
                .put("p50_ms", live.path("latency_p50_ms").asDouble()).put("p95_ms", live.path("latency_p95_ms").asDouble())
                .put("p99_ms", live.path("latency_p99_ms").asDouble()).put("max_ms", live.path("latency_max_ms").asDouble())
                .put("probes_seen", live.path("probes_seen").asLong()).put("exact", live.path("exact").asBoolean())
                .put("events_per_write", live.path("events").asDouble() / Math.max(1, live.path("document_writes").asLong()));
            step.set("cpu_cores", live.path("cpu_cores"));
            step.set("rss_kib", live.path("rss_kib"));
            if (report.has("failure")) {
                step.put("failure", report.path("failure").asText());
            }
        }
        return finish(result);
    }

    /**
     * One backlog: produced, read by the no-op sink, caught up on by the merging sink, its final documents
     * bulk-indexed once; fills {@code json} (a {@code failure} key says what went wrong).
     */
    private void catchUp(Backlog.Shape shape, Properties stack, ObjectNode result, ObjectNode json) throws Exception {
        System.out.println();
        System.out.println("Backlog " + shape + ": " + shape.description());
        JsonNode report = EndToEndBench.run(phase(List.of("--only", "catchup", "--backlog", shape.toString(),
            "--read-ceiling", "--events", String.valueOf(events), "--ids", String.valueOf(ids), "--backlog-minutes",
            String.valueOf(backlogMinutes), "--keep", "--out", out.resolve("catchup-" + shape + ".json").toString())),
            stack);
        if (!result.has("machine")) {
            result.set("machine", report.path("machine"));
        }
        String name = report.path("parameters").path("name").asText();
        JsonNode catchUp = report.path("catch_up");
        try {
            if (report.has("failure")) {
                json.put("failure", report.path("failure").asText());
                return;
            }
            long documents = catchUp.path("documents").asLong();
            long eventCount = catchUp.path("events").asLong();
            json.put("events", eventCount).put("documents", documents);

            JsonNode read = report.path("read_ceiling");
            ObjectNode readJson = json.putObject("read_ceiling");
            if (read.has("unavailable") || !read.has("seconds")) {
                readJson.put("unavailable", read.path("unavailable").asText("not measured"));
            } else {
                readJson.put("seconds", read.path("seconds").asDouble())
                    .put("tasks_running_seconds", read.path("tasks_running_seconds").asDouble())
                    .put("events_per_second", read.path("events_per_second").asDouble())
                    .put("worker_heap_peak_bytes", read.path("worker_heap_peak_bytes").asLong(-1))
                    .put("worker_rss_peak_kib", read.path("worker_rss_peak_kib").asLong(-1));
                stops(read, readJson);
                readJson.set("cpu_cores", read.path("cpu_cores"));
            }

            double seconds = catchUp.path("seconds").asDouble();
            long writes = catchUp.path("document_writes").asLong();
            JsonNode jmx = catchUp.path("sink_jmx");
            ObjectNode sink = json.putObject("sink");
            sink.put("seconds", seconds).put("tasks_running_seconds", catchUp.path("tasks_running_seconds").asDouble())
                .put("events_per_second", catchUp.path("events_per_second").asDouble())
                .put("document_writes", writes).put("writes_per_document", (double) writes / Math.max(1, documents))
                .put("events_per_write", (double) eventCount / Math.max(1, writes))
                .put("documents_written_jmx", jmx.path("DocumentsWritten").asLong())
                .put("multi_get_requests", jmx.path("MultiGetRequests").asLong())
                .put("ids_read", jmx.path("MultiGetDocuments").asLong())
                .put("ids_read_per_document", jmx.path("MultiGetDocuments").asDouble() / Math.max(1, documents))
                .put("create_conflicts", jmx.path("CreateConflicts").asLong())
                .put("bulk_requests", jmx.path("BulkRequests").asLong())
                .put("exact_in_detail", catchUp.path("exact_in_detail").asBoolean(true))
                .put("worker_heap_peak_bytes", catchUp.path("worker_heap_peak_bytes").asLong(-1))
                .put("worker_heap_max_bytes", catchUp.path("worker_heap_max_bytes").asLong(-1))
                .put("worker_rss_peak_kib", catchUp.path("worker_rss_peak_kib").asLong(-1))
                .put("worker_gc_millis", catchUp.path("worker_gc_millis").asLong(-1));
            // The checkpointing sink's attributes, when the sink has them.
            for (String optional : WorkerJmx.OPTIONAL) {
                if (jmx.has(optional)) {
                    sink.put(optional, jmx.path(optional).asLong());
                }
            }
            if (catchUp.has("held_documents_peak")) {
                sink.put("held_documents_peak", catchUp.path("held_documents_peak").asLong());
            }
            stops(catchUp, sink);
            sink.set("cpu_cores", catchUp.path("cpu_cores"));
            sink.set("rss_kib", catchUp.path("rss_kib"));

            int batch = (Integer) RequestMergeSinkConfig.CONFIG_DEF.defaultValues().get(RequestMergeSinkConfig.BULK_MAX_DOCUMENTS);
            System.out.println();
            System.out.println("Write ceiling: bulk-indexing the " + count(documents) + " final documents once, straight "
                + "into Elasticsearch ...");
            CeilingBench.Result ceiling = CeilingBench.run(stack.getProperty("elasticsearch.url"),
                Long.parseLong(stack.getProperty("elasticsearch.pid", "-1")), name, name + "-ceiling", batch, 2);
            json.putObject("write_ceiling").put("documents", ceiling.documents()).put("bytes", ceiling.bytes())
                .put("seconds", ceiling.seconds()).put("documents_per_second", ceiling.documentsPerSecond())
                .put("bulk_requests", ceiling.requests()).put("documents_per_request", batch).put("requests_in_flight", 2)
                .put("elasticsearch_core_seconds", ceiling.elasticsearchCoreSeconds());
            System.out.println("  " + count(ceiling.documents()) + " documents in " + decimal(ceiling.seconds(), 2) + " s = "
                + decimal(ceiling.documentsPerSecond(), 0) + " documents/s");

            double ideal = Math.max(ceiling.seconds(), readJson.path("seconds").asDouble(0));
            json.put("x_ideal", seconds / ideal).put("x_ideal_of", readJson.has("seconds") ? "the larger ceiling"
                : "the write ceiling (no read ceiling)");
            Double target = X_IDEAL_TARGETS.get(shape);
            if (target != null) {
                json.put("x_ideal_target", target).put("x_ideal_target_met", seconds / ideal <= target);
            }
        } finally {
            dropCatchUp(stack, name);
        }
    }

    /** Copies how long a phase stood still at most, and its consumers' rebalances, from its report. */
    private static void stops(JsonNode phase, ObjectNode json) {
        json.put("longest_pause_seconds", phase.path("longest_pause_seconds").asDouble());
        if (phase.has("consumer_rebalances")) {
            json.put("consumer_rebalances", phase.path("consumer_rebalances").asLong())
                .put("consumer_rebalance_max_ms", phase.path("consumer_rebalance_max_ms").asLong());
        }
    }

    /** The options of one {@link EndToEndBench} phase: the run's sizes and overrides, plus the phase's own. */
    private BenchOptions phase(List<String> own) {
        List<String> args = new ArrayList<>(own);
        args.addAll(List.of("--partitions", String.valueOf(partitions)));
        for (String override : overrides) {
            args.add("--set");
            args.add(override);
        }
        if (!own.contains("--events")) {
            // The live phase's requests have as many events as the uniform backlog's by default.
            args.addAll(List.of("--events", String.valueOf(LIVE_EVENTS_PER_ID * ids), "--ids", String.valueOf(ids)));
        }
        return BenchOptions.parse(args.toArray(new String[0]));
    }

    private static void dropCatchUp(Properties stack, String name) {
        try {
            new io.github.requestmerge.testing.ConnectRest(stack.getProperty("connect.url")).delete(name);
            // Its tasks write and commit until they stop: only then do its index and topic go.
            EndToEndBench.awaitTasksGone(stack.getProperty("kafka.bootstrap.servers"), name);
            new io.github.requestmerge.testing.Documents(stack.getProperty("elasticsearch.url")).send("DELETE", "/" + name,
                null);
            try (var admin = org.apache.kafka.clients.admin.Admin.create(java.util.Map.of("bootstrap.servers",
                stack.getProperty("kafka.bootstrap.servers")))) {
                admin.deleteTopics(List.of(name)).all().get();
            }
        } catch (Exception e) {
            System.err.println("Cleaning up the catch-up's connector, index and topic " + name + " failed: " + e);
        }
    }

    private JsonNode finish(ObjectNode result) throws IOException {
        liveTarget(result);
        result.put("completed_at", java.time.Instant.now().toString());
        Files.writeString(out.resolve("bench.json"), Report.JSON.writeValueAsString(result));
        String markdown = BenchTables.markdown(result);
        Files.writeString(out.resolve("bench.md"), markdown);
        Files.writeString(out.resolve("delay.svg"), BenchTables.delaySvg(result));
        System.out.println();
        System.out.println(markdown);
        System.out.println("Results: " + out.resolve("bench.json").toAbsolutePath().normalize() + ", bench.md, delay.svg");
        return result;
    }

    /** Sets the live target beside the step at {@link #LIVE_TARGET_PERCENT} of the catch-up rate, when there is one. */
    private static void liveTarget(ObjectNode result) {
        for (JsonNode step : result.path("steps")) {
            if (step.path("percent_of_catchup").asInt() == LIVE_TARGET_PERCENT && !step.has("failure")) {
                result.putObject("live_target").put("percent_of_catchup", LIVE_TARGET_PERCENT)
                    .put("p99_ms_at_most", LIVE_TARGET_P99_MS).put("p99_ms", step.path("p99_ms").asDouble())
                    .put("met", step.path("p99_ms").asDouble() <= LIVE_TARGET_P99_MS);
            }
        }
    }
}
