package io.github.requestmerge.bench;

import static io.github.requestmerge.bench.Report.count;
import static io.github.requestmerge.bench.Report.decimal;
import static io.github.requestmerge.bench.Report.seconds;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.archive.ArchiveLayout;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.RawRecordCodec;
import io.github.requestmerge.archive.S3Clients;
import io.github.requestmerge.archive.S3Settings;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code bin/bench-replay}: the archive replay against the live connector's catch-up, on the same events,
 * in one run on the stack of {@code bin/stack up}.
 * <ol>
 *   <li>{@code bin/bench-e2e --only catchup --keep} (run by the script before this class): the events are
 *       produced, the merging sink catches up from the start of the topic, timed until Elasticsearch holds
 *       the complete result.</li>
 *   <li>The topic is read back record by record and archived into the stack's S3 server as the archive
 *       connector lays it out (the plugin's format, gzip, one object per partition and so many records).</li>
 *   <li>{@code request-merge replay} in a JVM of its own rebuilds the index from the archive into a new
 *       index, timed from start to exit; the result is checked exactly against the live index (documents
 *       and counter totals), and {@code request-merge verify} compares the two document by document.</li>
 *   <li>The replay again with a small memory budget, to measure what every extra pass costs.</li>
 * </ol>
 * Speed is only reported here, never asserted.
 */
public final class ReplayBench {

    private final Properties stack;
    private final JsonNode catchUp;
    private final String name;
    private final Path work;
    private final Report report = new Report();
    private final Documents documents;
    private final int recordsPerObject;
    /** The replay JVM's options besides the heap: bin/request-merge's defaults unless REPLAY_OPTS says otherwise. */
    private static final String REPLAY_OPTS = System.getProperty("bench.replay.opts", "-XX:+UseParallelGC");

    private final String replayHeap;
    private final String smallBudget;

    private ReplayBench(Properties stack, JsonNode catchUp, Path work, int recordsPerObject, String replayHeap,
                        String smallBudget) {
        this.stack = stack;
        this.catchUp = catchUp;
        this.name = catchUp.at("/parameters/name").asText();
        this.work = work;
        this.documents = new Documents(stack.getProperty("elasticsearch.url"));
        this.recordsPerObject = recordsPerObject;
        this.replayHeap = replayHeap;
        this.smallBudget = smallBudget;
    }

    public static void main(String[] args) throws Exception {
        Path catchUpFile = Paths.get(args.length > 0 ? args[0] : "target/bench-replay-catchup.json");
        Path out = Paths.get(args.length > 1 ? args[1] : "target/bench-replay.json");
        Properties stack = new Properties();
        Path state = Paths.get(System.getProperty("stack.dir", "target/stack")).resolve("stack.properties");
        try (var reader = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
            stack.load(reader);
        }
        JsonNode catchUp = Report.JSON.readTree(catchUpFile.toFile());
        if (catchUp.has("failure")) {
            System.err.println("bin/bench-replay: the catch-up failed: " + catchUp.path("failure").asText());
            System.exit(1);
        }
        Path work = Files.createDirectories(Paths.get("target/bench-replay"));
        ReplayBench bench = new ReplayBench(stack, catchUp, work, Integer.getInteger("bench.records.per.object", 50_000),
            System.getProperty("bench.replay.heap", "1g"), System.getProperty("bench.small.budget", "24m"));
        int exit = bench.run();
        bench.report.print(System.out);
        bench.report.write(out);
        System.out.println();
        System.out.println("Results written to " + out.toAbsolutePath().normalize());
        System.exit(exit);
    }

    private int run() throws Exception {
        JsonNode live = catchUp.path("catch_up");
        long events = live.path("events").asLong();
        double liveSeconds = live.path("seconds").asDouble();
        Report.Section setup = report.section("setup", "Replay against the live catch-up, " + count(events) + " events of "
            + count(live.path("ids").asLong()) + " ids (" + name + ")");
        setup.row("machine", catchUp.at("/machine/cores").asInt() + " cores, " + catchUp.at("/machine/jdk").asText()
            + ", Elasticsearch " + catchUp.at("/machine/elasticsearch").asText() + ", one node; load average at start "
            + catchUp.at("/machine/load_average_at_start").asText());
        setup.row("partitions / tasks", catchUp.at("/parameters/partitions").asInt() + " / "
            + catchUp.at("/parameters/tasks").asInt() + (catchUp.at("/parameters/enrich").asBoolean() ? ", Enrich SMT" : ""));
        setup.json.put("name", name).put("events", events).put("ids", live.path("ids").asLong());

        // The connector has caught up: it goes, so that it takes no CPU from the replay.
        new ConnectRest(stack.getProperty("connect.url")).delete(name);

        Report.Section archive = report.section("archive", "Archive written from the topic (not timed against anything)");
        String topicsDir = "bench-replay-" + name;
        long start = System.nanoTime();
        long[] sizes = archive(topicsDir);
        long archiveNanos = System.nanoTime() - start;
        archive.row("records / objects / stored", count(sizes[0]) + " / " + count(sizes[1]) + " / "
            + decimal(sizes[2] / 1e6, 1) + " MB (" + decimal((double) sizes[2] / sizes[0], 1) + " bytes per event, gzip)")
            .row("read back from Kafka and written to S3 in", seconds(archiveNanos));
        archive.json.put("records", sizes[0]).put("objects", sizes[1]).put("bytes", sizes[2])
            .put("bytes_per_event", (double) sizes[2] / sizes[0]).put("seconds", archiveNanos / 1e9);

        // The catch-up leaves Elasticsearch merging segments for a while; the replay starts once it is quiet, as the
        // catch-up did (neither is charged with the other's background work).
        double settled = awaitElasticsearchIdle();
        archive.row("Elasticsearch idle (under 0.15 cores) after", decimal(settled, 1) + " s more");
        archive.json.put("elasticsearch_settle_seconds", settled);

        Path archiveFile = archiveConfig(topicsDir);
        Path sinkFile = sinkConfig();
        String replayed = name + "-replayed";
        Report.Section replay = report.section("replay", "request-merge replay (own JVM, -Xmx" + replayHeap + " " + REPLAY_OPTS + ")");
        Run run = cli("replay", List.of("--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index",
            replayed));
        JsonNode summary = run.summary;
        double replaySeconds = run.nanos / 1e9;
        BenchIndex.Totals liveTotals = new BenchIndex(documents, name).refreshedTotals();
        BenchIndex.Totals replayTotals = new BenchIndex(documents, replayed).refreshedTotals();
        boolean exact = run.exit == 0 && liveTotals.equals(replayTotals) && liveTotals.documents() == live.path("documents")
            .asLong();
        replay.row("time, start to exit (JVM start included)", decimal(replaySeconds, 1) + " s: reading and merging "
                + decimal(summary.path("read_seconds").asDouble(), 1) + " s, writing " + decimal(summary.path("output_seconds")
                .asDouble(), 1) + " s")
            .row("events/s", "**" + decimal(events / replaySeconds, 0) + "** (reading and merging alone: "
                + decimal(events / summary.path("read_seconds").asDouble(), 0) + ")")
            .row("documents written", count(summary.path("written").asLong()) + " in " + count(summary.path("bulk_requests")
                .asLong()) + " bulk requests (" + decimal(summary.path("written").asLong()
                / summary.path("output_seconds").asDouble(), 0) + " documents/s)")
            .row("CPU", decimal(run.toolCpuMillis / 1000.0, 1) + " core-s by the tool, " + decimal(run.elasticsearchCpuMillis
                / 1000.0, 1) + " by Elasticsearch")
            .row("passes / heap", summary.path("passes").asInt() + " / " + decimal(summary.path("max_heap_after_gc_bytes")
                .asLong() / 1048576.0, 0) + " MiB in use after a collection at most (" + decimal(summary.path("peak_heap_bytes")
                .asLong() / 1048576.0, 0) + " MiB with garbage); " + count(summary.path("max_documents_held").asLong())
                + " documents held, " + decimal(summary.path("max_estimated_bytes").asLong() / 1048576.0, 0)
                + " MiB estimated")
            .row("checked against the live index", exact ? "equal totals: " + count(replayTotals.documents()) + " documents, "
                + "clicks " + count(replayTotals.clicks()) + ", impressions " + count(replayTotals.impressions())
                : "NOT EQUAL: live " + liveTotals + ", replayed " + replayTotals + " (exit " + run.exit + ")");
        replay.json.put("seconds", replaySeconds).put("events_per_second", events / replaySeconds)
            .put("tool_cpu_seconds", run.toolCpuMillis / 1000.0).put("elasticsearch_cpu_seconds",
                run.elasticsearchCpuMillis / 1000.0)
            .put("exit", run.exit).put("exact", exact).set("summary", summary);

        // Elasticsearch's heap is small here: one index of the kind at a time besides the live one.
        documents.send("DELETE", "/" + replayed, null);

        Report.Section compare = report.section("compare", "Side by side");
        double ratio = liveSeconds / replaySeconds;
        double liveCores = catchUp.at("/catch_up/cpu_cores/connect").asDouble(Double.NaN);
        double liveEsCores = catchUp.at("/catch_up/cpu_cores/elasticsearch").asDouble(Double.NaN);
        compare.row("live connector catch-up (bin/bench-e2e)", decimal(liveSeconds, 1) + " s, " + decimal(events / liveSeconds,
                0) + " events/s" + (Double.isNaN(liveCores) ? "" : "; CPU " + decimal(liveCores * liveSeconds, 1)
                + " core-s by the worker, " + decimal(liveEsCores * liveSeconds, 1) + " by Elasticsearch"))
            .row("replay", decimal(replaySeconds, 1) + " s, " + decimal(events / replaySeconds, 0) + " events/s")
            .row("replay is faster by", "**" + decimal(ratio, 1) + "x** (target: at least 5x)");
        compare.json.put("live_seconds", liveSeconds).put("replay_seconds", replaySeconds).put("ratio", ratio);

        Report.Section verify = report.section("verify", "request-merge verify of the live index");
        Run check = cli("verify", List.of("--archive", archiveFile.toString(), "--sink", sinkFile.toString()));
        verify.row("result", "exit " + check.exit + ": " + count(check.summary.path("equal").asLong()) + " equal, "
                + count(check.summary.path("different").asLong()) + " different, " + count(check.summary.path("missing")
                .asLong()) + " missing, " + count(check.summary.path("extra").asLong()) + " extra")
            .row("time", decimal(check.nanos / 1e9, 1) + " s (comparing " + decimal(check.summary.path("output_seconds")
                .asDouble(), 1) + " s)");
        verify.json.put("seconds", check.nanos / 1e9).put("exit", check.exit).set("summary", check.summary);

        Report.Section heap = report.section("heap", "The same replay again, with --measure-heap (not timed: a full "
            + "collection at the end of the pass)");
        Run measured = cli("replay", List.of("--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index",
            name + "-heap"), true);
        documents.send("DELETE", "/" + name + "-heap", null);
        heap.row("heap in use with the documents held", decimal(measured.summary.path("heap_with_documents_bytes").asLong()
            / 1048576.0, 0) + " MiB after a full collection (" + count(measured.summary.path("max_documents_held").asLong())
            + " documents, " + decimal(measured.summary.path("max_estimated_bytes").asLong() / 1048576.0, 0) + " MiB "
            + "estimated; -Xmx" + replayHeap + ")");
        heap.json.put("heap_with_documents_bytes", measured.summary.path("heap_with_documents_bytes").asLong())
            .put("documents", measured.summary.path("max_documents_held").asLong());

        Report.Section passes = report.section("passes", "The same replay with --memory-budget " + smallBudget
            + " (and --measure-heap: a full collection at the end of each pass)");
        Run small = cli("replay", List.of("--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index",
            name + "-passes", "--memory-budget", smallBudget), true);
        BenchIndex.Totals smallTotals = new BenchIndex(documents, name + "-passes").refreshedTotals();
        int passCount = small.summary.path("passes").asInt();
        double extraPass = passCount > 1 ? (small.summary.path("read_seconds").asDouble()
            - summary.path("read_seconds").asDouble()) / (passCount - 1) : 0;
        passes.row("passes / time", passCount + " / " + decimal(small.nanos / 1e9, 1) + " s (reading and merging "
                + decimal(small.summary.path("read_seconds").asDouble(), 1) + " s)")
            .row("each pass beyond the first", decimal(extraPass, 1) + " s")
            .row("heap", decimal(small.summary.path("heap_with_documents_bytes").asLong() / 1048576.0, 0) + " MiB in use "
                + "with a pass's documents held (after a full collection); " + count(small.summary.path("max_documents_held")
                .asLong()) + " documents held, " + decimal(small.summary.path("max_estimated_bytes").asLong() / 1048576.0, 0)
                + " MiB estimated")
            .row("result", smallTotals.equals(liveTotals) ? "equal totals to the live index" : "NOT EQUAL: " + smallTotals);
        passes.json.put("passes", passCount).put("seconds", small.nanos / 1e9).put("seconds_per_extra_pass", extraPass)
            .set("summary", small.summary);

        if (!Boolean.getBoolean("bench.keep")) {
            documents.send("DELETE", "/" + name + "-passes," + name, null);
            documents.send("DELETE", "/_index_template/" + name, null);
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.getProperty("kafka.bootstrap.servers")))) {
                admin.deleteTopics(List.of(name)).all().get();
            }
        }
        return exact && check.exit == 0 ? 0 : 1;
    }

    /** @return seconds waited until Elasticsearch used under 0.15 cores for a second (at most 60 s) */
    private double awaitElasticsearchIdle() throws InterruptedException {
        String pid = stack.getProperty("elasticsearch.pid");
        if (pid == null) {
            return 0;
        }
        long start = System.nanoTime();
        long before = Processes.cpuMillis(Long.parseLong(pid));
        while (System.nanoTime() - start < 60_000_000_000L) {
            Thread.sleep(1000);
            long now = Processes.cpuMillis(Long.parseLong(pid));
            if (now - before < 150) {
                break;
            }
            before = now;
        }
        return (System.nanoTime() - start) / 1e9;
    }

    /**
     * Reads the topic from the start and writes it to S3 as the archive connector lays it out.
     *
     * @return records, objects, stored bytes
     */
    private long[] archive(String topicsDir) {
        Properties props = new Properties();
        props.put("bootstrap.servers", stack.getProperty("kafka.bootstrap.servers"));
        props.put("max.poll.records", "5000");
        props.put("fetch.max.bytes", String.valueOf(50 << 20));
        props.put("max.partition.fetch.bytes", String.valueOf(8 << 20));
        ArchiveLayout layout = ArchiveLayout.byPartition(topicsDir);
        Map<Integer, Chunk> chunks = new HashMap<>();
        long[] sizes = new long[3];
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(),
                 new ByteArrayDeserializer());
             S3Client s3 = S3Clients.open(new S3Settings(stack.getProperty("s3.bucket"), "us-east-1",
                 URI.create(stack.getProperty("s3.endpoint")), true, stack.getProperty("s3.access.key"),
                 stack.getProperty("s3.secret.key"), null))) {
            List<TopicPartition> partitions = new ArrayList<>();
            consumer.partitionsFor(name).forEach(p -> partitions.add(new TopicPartition(name, p.partition())));
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (!done(consumer, ends)) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    Chunk chunk = chunks.computeIfAbsent(record.partition(), p -> new Chunk());
                    if (chunk.records == 0) {
                        chunk.key = layout.objectKey(name, record.partition(), record.offset(), record.timestamp());
                    }
                    List<RawRecord.Header> headers = new ArrayList<>();
                    for (Header header : record.headers()) {
                        headers.add(new RawRecord.Header(header.key(), header.value()));
                    }
                    chunk.add(RawRecordCodec.write(new RawRecord(name, record.partition(), record.offset(), record.timestamp(),
                        record.timestampType().name, record.key(), headers, record.value())));
                    sizes[0]++;
                    if (chunk.records == recordsPerObject) {
                        sizes[2] += chunk.put(s3, stack.getProperty("s3.bucket"));
                        sizes[1]++;
                    }
                }
            }
            for (Chunk chunk : chunks.values()) {
                if (chunk.records > 0) {
                    sizes[2] += chunk.put(s3, stack.getProperty("s3.bucket"));
                    sizes[1]++;
                }
            }
        }
        return sizes;
    }

    private static boolean done(KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> ends) {
        for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
            if (consumer.position(end.getKey()) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** One object being filled: gzip lines. */
    private static final class Chunk {
        String key;
        int records;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        GZIPOutputStream gzip;

        void add(byte[] line) {
            try {
                if (gzip == null) {
                    gzip = new GZIPOutputStream(bytes, 64 << 10);
                }
                gzip.write(line);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            records++;
        }

        long put(S3Client s3, String bucket) {
            try {
                gzip.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            byte[] object = bytes.toByteArray();
            s3.putObject(p -> p.bucket(bucket).key(key), RequestBody.fromBytes(object));
            bytes = new ByteArrayOutputStream();
            gzip = null;
            records = 0;
            return object.length;
        }
    }

    private Path archiveConfig(String topicsDir) throws IOException {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", name + "-archive");
        config.put("connector.class", "io.github.requestmerge.archive.RawArchiveSinkConnector");
        config.put("topics", name);
        config.put("s3.bucket.name", stack.getProperty("s3.bucket"));
        config.put("s3.region", "us-east-1");
        config.put("store.url", stack.getProperty("s3.endpoint"));
        config.put("aws.access.key.id", stack.getProperty("s3.access.key"));
        config.put("aws.secret.access.key", stack.getProperty("s3.secret.key"));
        config.put("topics.dir", topicsDir);
        Path file = work.resolve("archive.json");
        Report.JSON.writeValue(file.toFile(), config);
        return file;
    }

    /** The connector's config exactly as the catch-up ran it. */
    private Path sinkConfig() throws IOException {
        Map<String, String> config = Report.JSON.convertValue(catchUp.at("/parameters/connector_config"),
            new TypeReference<LinkedHashMap<String, String>>() { });
        Path file = work.resolve("sink.json");
        Report.JSON.writeValue(file.toFile(), config);
        return file;
    }

    /** One run of the tool: its exit code, wall time, summary, and the CPU it and Elasticsearch used meanwhile. */
    private record Run(int exit, long nanos, JsonNode summary, long toolCpuMillis, long elasticsearchCpuMillis) {
    }

    /** Runs the tool in a JVM of its own, as a user would. */
    private Run cli(String command, List<String> args) throws IOException, InterruptedException {
        return cli(command, args, false);
    }

    private Run cli(String command, List<String> args, boolean measureHeap) throws IOException, InterruptedException {
        Path summary = work.resolve(command + "-" + System.nanoTime() + ".json");
        List<String> line = new ArrayList<>(List.of(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx" + replayHeap));
        line.addAll(List.of(REPLAY_OPTS.trim().split("\\s+")));
        line.addAll(List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
            System.getProperty("java.class.path"), "io.github.requestmerge.cli.RequestMergeCli", command));
        line.addAll(args);
        line.addAll(List.of("--no-progress", "--summary-json", summary.toString()));
        if (measureHeap) {
            line.add("--measure-heap");
        }
        System.out.println("$ request-merge " + command + " " + String.join(" ", args));
        long esPid = Long.parseLong(stack.getProperty("elasticsearch.pid", "-1"));
        long esBefore = Processes.cpuMillis(esPid);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(line).inheritIO().start();
        long toolCpu = 0;
        while (!process.waitFor(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
            // The last reading before it exits: a process that is gone has no CPU time to ask for.
            toolCpu = Math.max(toolCpu, Processes.cpuMillis(process.pid()));
        }
        int exit = process.exitValue();
        long nanos = System.nanoTime() - start;
        long esCpu = Processes.cpuMillis(esPid) - esBefore;
        JsonNode json = Files.exists(summary) ? Report.JSON.readTree(summary.toFile()) : Report.JSON.createObjectNode();
        return new Run(exit, nanos, json, toolCpu, esCpu);
    }
}
