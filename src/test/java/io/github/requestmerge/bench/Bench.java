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
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.sink.RequestMergeSinkConfig;

/**
 * {@code bin/bench}: the whole pipeline against the machine's ceiling, in one run on one stack.
 * <ol>
 *   <li>Catch-up: N events of M request ids pre-produced, then the merging sink created (the shipped
 *       config, one task per partition) and timed until Elasticsearch holds the exact result
 *       ({@link EndToEndBench}'s catch-up phase): events/s, document writes/s, events per write,
 *       multi-gets per write.</li>
 *   <li>Ceiling: the catch-up's final documents bulk-indexed once each, straight into the same node
 *       ({@link CeilingBench}): the best any sink could do here. Catch-up writes/s are reported as a share
 *       of it.</li>
 *   <li>Live: stepped rates, each a percentage of the catch-up's events/s, each for a fixed time after a
 *       warm-up, with the reporting delay (produce to visible in a realtime GET) p50/p95/p99/max
 *       ({@link EndToEndBench}'s live phase, a new connector and topic per step on the same, warm worker).</li>
 * </ol>
 * CPU and resident memory per process come with every phase. Output: {@code bench.json}, {@code bench.md}
 * (the tables the README shows) and {@code delay.svg} (delay against rate) in the output folder, plus each
 * phase's full report beside them. Speed is only reported, never asserted.
 */
public final class Bench {

    static final String USAGE = String.join("\n",
        "usage: bin/bench [--quick] [options]",
        "  --quick             a first look in a few minutes: 200k events of 20k ids, steps 25,50,100 % of 10 s",
        "  --events N          catch-up events (default 1m)",
        "  --ids N             catch-up request ids (default 100k)",
        "  --partitions P      topic partitions and tasks (default 4)",
        "  --steps A,B,...     live rates in % of the catch-up events/s (default 10,25,50,75,100)",
        "  --step-seconds S    measured time of each live step (default 30)",
        "  --warmup S          unmeasured time at the step's rate before it (default 10)",
        "  --set KEY=VALUE     override a connector setting in every phase (repeatable)",
        "  --out DIR           output folder (default target/bench)",
        "Numbers take k and m suffixes.");

    private long events = 1_000_000;
    private long ids = 100_000;
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
                case "--partitions": bench.partitions = (int) number(arg, value); break;
                case "--step-seconds": bench.stepSeconds = (int) number(arg, value); break;
                case "--warmup": bench.warmup = (int) number(arg, value); break;
                case "--out": bench.out = Paths.get(value); break;
                case "--set": bench.overrides.add(value); break;
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

        JsonNode catchUpReport = EndToEndBench.run(phase(List.of("--only", "catchup", "--events", String.valueOf(events),
            "--ids", String.valueOf(ids), "--keep", "--out", out.resolve("catchup.json").toString())), stack);
        result.set("machine", catchUpReport.path("machine"));
        String name = catchUpReport.path("parameters").path("name").asText();
        JsonNode catchUp = catchUpReport.path("catch_up");
        try {
            if (catchUpReport.has("failure")) {
                result.put("failure", "catch-up: " + catchUpReport.path("failure").asText());
                return finish(result);
            }
            double seconds = catchUp.path("seconds").asDouble();
            long writes = catchUp.path("document_writes").asLong();
            JsonNode jmx = catchUp.path("sink_jmx");
            ObjectNode catchUpJson = result.putObject("catchup");
            catchUpJson.put("events", catchUp.path("events").asLong()).put("ids", catchUp.path("ids").asLong())
                .put("seconds", seconds).put("document_writes", writes)
                .put("events_per_write", catchUp.path("events").asDouble() / Math.max(1, writes))
                .put("multi_get_requests", jmx.path("MultiGetRequests").asLong())
                .put("multi_gets_per_write", jmx.path("MultiGetRequests").asDouble() / Math.max(1, writes))
                .put("ids_read_per_write", jmx.path("MultiGetDocuments").asDouble() / Math.max(1, writes))
                .put("create_conflicts", jmx.path("CreateConflicts").asLong())
                .put("bulk_requests", jmx.path("BulkRequests").asLong());
            catchUpJson.set("cpu_cores", catchUp.path("cpu_cores"));
            catchUpJson.set("rss_kib", catchUp.path("rss_kib"));
            catchUpJson.put("worker_gc_millis", catchUp.path("worker_gc_millis").asLong(-1));
            result.put("catchup_events_per_s", catchUp.path("events_per_second").asDouble());
            result.put("catchup_writes_per_s", writes / seconds);

            int batch = (Integer) RequestMergeSinkConfig.CONFIG_DEF.defaultValues().get(RequestMergeSinkConfig.BULK_MAX_DOCUMENTS);
            System.out.println();
            System.out.println("Ceiling: bulk-indexing the " + count(catchUp.path("ids").asLong())
                + " final documents once, straight into Elasticsearch ...");
            CeilingBench.Result ceiling = CeilingBench.run(stack.getProperty("elasticsearch.url"),
                Long.parseLong(stack.getProperty("elasticsearch.pid", "-1")), name, name + "-ceiling", batch, 2);
            result.put("ceiling_docs_per_s", ceiling.documentsPerSecond());
            result.putObject("ceiling").put("documents", ceiling.documents()).put("bytes", ceiling.bytes())
                .put("seconds", ceiling.seconds()).put("bulk_requests", ceiling.requests())
                .put("documents_per_request", batch).put("requests_in_flight", 2)
                .put("elasticsearch_core_seconds", ceiling.elasticsearchCoreSeconds());
            result.put("catchup_writes_share_of_ceiling", (writes / seconds) / ceiling.documentsPerSecond());
            System.out.println("  " + count(ceiling.documents()) + " documents in " + decimal(ceiling.seconds(), 2) + " s = "
                + decimal(ceiling.documentsPerSecond(), 0) + " documents/s");
        } finally {
            dropCatchUp(stack, name);
        }

        ArrayNode stepsJson = result.putArray("steps");
        double catchUpRate = result.path("catchup_events_per_s").asDouble();
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

    /** The options of one {@link EndToEndBench} phase: the run's sizes and overrides, plus the phase's own. */
    private BenchOptions phase(List<String> own) {
        List<String> args = new ArrayList<>(own);
        args.addAll(List.of("--partitions", String.valueOf(partitions)));
        for (String override : overrides) {
            args.add("--set");
            args.add(override);
        }
        if (!own.contains("--events")) {
            // The live phase sizes requests by the catch-up's events per id.
            args.addAll(List.of("--events", String.valueOf(events), "--ids", String.valueOf(ids)));
        }
        return BenchOptions.parse(args.toArray(new String[0]));
    }

    private static void dropCatchUp(Properties stack, String name) {
        try {
            new io.github.requestmerge.testing.ConnectRest(stack.getProperty("connect.url")).delete(name);
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
}
