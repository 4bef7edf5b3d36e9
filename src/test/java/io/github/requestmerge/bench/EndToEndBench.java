package io.github.requestmerge.bench;

import static io.github.requestmerge.bench.Report.count;
import static io.github.requestmerge.bench.Report.decimal;
import static io.github.requestmerge.bench.Report.mib;
import static io.github.requestmerge.bench.Report.seconds;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import javax.management.JMException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.TestData;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import io.github.requestmerge.stack.discard.DiscardSinkPlugin;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.traffic.LeadTraffic;

/**
 * {@code bin/bench-e2e}: the merging sink end to end, through the real Connect worker, Kafka broker
 * and Elasticsearch node of a stack started by {@code bin/stack up}.
 * <ol>
 *   <li>Catch-up: pre-produces a realistic stream to a fresh topic, then creates the connector and
 *       measures the time until Elasticsearch holds the complete result, checked exactly (after a
 *       refresh, the document count equals the ids and the sums of both counters equal what was
 *       produced).</li>
 *   <li>Live: produces at a steady rate while a probe measures the latency from producing an event to
 *       seeing it in a realtime GET ({@link ProbeLatency}); then checks the totals exactly again.</li>
 * </ol>
 * Also reports the worker's resident memory, the CPU each part used, and the sink's own JMX metrics.
 * Speed is only ever reported here, never asserted.
 */
public final class EndToEndBench {

    private static final Duration TASKS_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(120);
    /** A catch-up that makes no progress this long has failed (a dead or thrashing worker). */
    private static final Duration STALL = Duration.ofSeconds(90);
    /** A catch-up that makes no progress this long has its state written down once (and goes on). */
    private static final Duration STANDSTILL_DIAGNOSED = Duration.ofSeconds(15);

    private final BenchOptions options;
    private final Properties stack;
    private final ConnectRest connect;
    private final Topics topics;
    private final Documents documents;
    private final String bootstrapServers;
    private final String name;
    private final BenchIndex index;
    private final List<String> userAgents;
    private final Map<String, Long> pids = new LinkedHashMap<>();
    private final Report report = new Report();
    private WorkerJmx jmx;
    private boolean connectorCreated;
    private Map<String, String> connectorConfig;

    private long expectedDocuments;
    private long expectedClicks;
    private long expectedImpressions;

    private EndToEndBench(BenchOptions options, Properties stack) throws IOException {
        this.options = options;
        this.stack = stack;
        this.connect = new ConnectRest(stack.getProperty("connect.url"));
        this.bootstrapServers = stack.getProperty("kafka.bootstrap.servers");
        this.topics = new Topics(bootstrapServers);
        this.documents = new Documents(stack.getProperty("elasticsearch.url"));
        this.name = "bench-e2e-" + Long.toString(System.currentTimeMillis(), 36);
        this.index = new BenchIndex(documents, name);
        for (String part : new String[] {"connect", "elasticsearch", "kafka", "s3"}) {
            String pid = stack.getProperty(part + ".pid");
            if (pid != null) {
                pids.put(part, Long.parseLong(pid));
            }
        }
        pids.put("bench", ProcessHandle.current().pid());
        List<String> agents = new ArrayList<>();
        for (JsonNode agent : Report.JSON.readTree(TestData.file("top-user-agents.json").toFile())) {
            if (agents.size() < 20) {
                agents.add(agent.asText());
            }
        }
        this.userAgents = agents;
    }

    public static void main(String[] args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(args);
        } catch (IllegalArgumentException e) {
            if (!e.getMessage().isEmpty()) {
                System.err.println("bin/bench-e2e: " + e.getMessage());
            }
            System.err.println(BenchOptions.USAGE);
            System.exit(2);
            return;
        }
        Path state = Paths.get(System.getProperty("stack.dir", "target/stack")).resolve("stack.properties");
        if (!Files.exists(state)) {
            System.err.println("bin/bench-e2e: no stack (" + state + " is missing); start it with bin/stack up");
            System.exit(1);
        }
        Properties stack = new Properties();
        try (var reader = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
            stack.load(reader);
        }
        System.exit(new EndToEndBench(options, stack).run());
    }

    /**
     * Runs the phases {@code options} select on the stack {@code stack} describes (as {@code bin/bench-e2e} does,
     * without exiting), prints the report and writes it to {@code options.out}.
     *
     * @return the report's JSON; a {@code failure} key says why a phase failed
     */
    static JsonNode run(BenchOptions options, Properties stack) throws Exception {
        EndToEndBench bench = new EndToEndBench(options, stack);
        bench.run();
        return bench.report.json();
    }

    private int run() throws Exception {
        describeSetup();
        jmx = WorkerJmx.attach(pids.get("connect"));
        topics.create(name, options.partitions);
        awaitLeaders();
        int exit = 0;
        try {
            if (options.catchUp) {
                catchUp();
            }
            if (options.live) {
                if (!connectorCreated) {
                    createConnector();
                }
                live();
            }
        } catch (BenchFailure e) {
            System.err.println();
            System.err.println("bin/bench-e2e: " + e.getMessage());
            report.json().put("failure", e.getMessage());
            exit = 1;
        } finally {
            Report.Section memory = report.section("memory", "Memory (resident set, /proc/<pid>/status VmRSS)");
            for (Map.Entry<String, Long> part : pids.entrySet()) {
                memory.json.put(part.getKey() + "_peak_rss_kib", Processes.peakRssKib(part.getValue()));
            }
            memory.row("worker peak RSS since it started (VmHWM)", mib(Processes.peakRssKib(pids.get("connect"))));
            cleanUp();
            if (jmx != null) {
                jmx.close();
            }
        }
        report.json().put("completed_at", java.time.Instant.now().toString());
        report.print(System.out);
        report.write(options.out);
        System.out.println();
        System.out.println("Results written to " + options.out.toAbsolutePath().normalize());
        return exit;
    }

    private void describeSetup() {
        Report.Section machine = report.section("machine", "Machine and stack");
        int cores = Runtime.getRuntime().availableProcessors();
        String jdk = System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version") + " ("
            + System.getProperty("java.vendor") + ")";
        String os = System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
            + System.getProperty("os.arch");
        String elasticsearch = documents.send("GET", "/", null).at("/version/number").asText("?");
        String kafka = connectVersion();
        String workerJvm = jvmOptions(pids.get("connect"));
        String commitInterval = workerSetting("offset.flush.interval.ms");
        machine.row("cores (Runtime.availableProcessors)", String.valueOf(cores))
            .row("memory", mib(Processes.memTotalKib()))
            .row("JDK", jdk)
            .row("OS", os)
            .row("load average at start", Processes.loadAverage())
            .row("Elasticsearch", elasticsearch + " (one node, " + jvmOptions(pids.get("elasticsearch")) + ")")
            .row("Kafka broker and Connect worker", kafka + " (worker JVM: " + workerJvm + "; offset.flush.interval.ms="
                + commitInterval + ", so Connect calls the sink's preCommit that often)")
            .row("all parts, the benchmark included", "on this machine, 127.0.0.1");
        machine.json.put("cores", cores).put("memory_kib", Processes.memTotalKib()).put("jdk", jdk).put("os", os)
            .put("load_average_at_start", Processes.loadAverage()).put("elasticsearch", elasticsearch)
            .put("kafka_connect", kafka).put("worker_jvm", workerJvm).put("worker_offset_flush_interval_ms", commitInterval);

        connectorConfig = connectorConfig();
        Report.Section parameters = report.section("parameters", "Parameters");
        parameters.row("phases", (options.catchUp ? "catch-up" : "") + (options.catchUp && options.live ? " + " : "")
                + (options.live ? "live" : ""))
            .row("topic / index / connector", name)
            .row("partitions / tasks.max", options.partitions + " / " + options.tasks)
            .row("Enrich SMT", options.enrich ? "yes (GeoLite2 City + user agent)" : "no");
        if (options.catchUp && options.backlog == Backlog.Shape.UNIFORM) {
            parameters.row("catch-up backlog", "uniform: " + count(options.events) + " events / " + count(options.ids)
                    + " ids (" + options.eventsPerId() + " per id: one full, the rest deltas)")
                .row("catch-up requests open at once", count(options.window));
        } else if (options.catchUp) {
            parameters.row("catch-up backlog", options.backlog + ": " + count(options.events) + " events of lead traffic ("
                + options.backlog.description() + "), no bad records");
        }
        if (options.catchUp && options.readCeiling) {
            parameters.row("read ceiling", "the backlog through a no-op sink first (" + DiscardSinkPlugin.CONNECTOR_CLASS
                + "), with the merging sink's connector config");
        }
        if (options.live) {
            parameters.row("live rate / duration", count(options.rate) + " events/s for " + options.seconds + " s")
                .row("live requests open at once", count(options.liveWindow) + " (" + options.eventsPerId()
                    + " events per id)")
                .row("probe", "1 event every " + options.probeMs + " ms; realtime GET every " + options.pollMs + " ms");
        }
        StringBuilder sink = new StringBuilder();
        for (String key : new String[] {"flush.linger.ms", "flush.max.events", "bulk.max.documents", "buffer.max.events",
            "cache.max.entries", "cache.max.bytes"}) {
            Object value = connectorConfig.containsKey(key) ? connectorConfig.get(key)
                : RequestMergeSinkConfig.CONFIG_DEF.defaultValues().get(key) + " (default)";
            sink.append(sink.length() == 0 ? "" : ", ").append(key).append('=').append(value);
        }
        parameters.row("connector (config/request-merge-sink.json)", sink + (options.overrides.isEmpty() ? ""
            : "; overridden: " + options.overrides));
        ObjectNode json = parameters.json;
        json.put("backlog", options.backlog.toString()).put("backlog_minutes", options.backlogMinutes)
            .put("read_ceiling", options.readCeiling)
            .put("events", options.events).put("ids", options.ids).put("window", options.window)
            .put("partitions", options.partitions).put("tasks", options.tasks).put("enrich", options.enrich)
            .put("rate", options.rate).put("seconds", options.seconds).put("live_window", options.liveWindow)
            .put("probe_ms", options.probeMs).put("poll_ms", options.pollMs).put("seed", options.seed)
            .put("catch_up", options.catchUp).put("live", options.live).put("name", name);
        ObjectNode config = json.putObject("connector_config");
        connectorConfig.forEach(config::put);
        report.print(System.out);
        System.out.println();
    }

    /** The example config users start from, pointed at this stack, with the benchmark's overrides. */
    private Map<String, String> connectorConfig() {
        Map<String, String> config;
        try {
            config = Report.JSON.readValue(Paths.get(System.getProperty("project.basedir", "."))
                .resolve("config/request-merge-sink.json").toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        config.put("name", name);
        config.put("topics", name);
        config.put("tasks.max", String.valueOf(options.tasks));
        config.put("connection.urls", stack.getProperty("elasticsearch.url"));
        config.put("index.name", name);
        config.put("index.template.name", name);
        config.put("errors.deadletterqueue.topic.name", name + "-dlq");
        if (options.enrich) {
            config.put("transforms.enrich.geoip.database.path", TestData.geoLite2City().toString());
        } else {
            config.keySet().removeIf(key -> key.equals("transforms") || key.startsWith("transforms."));
        }
        config.putAll(options.overrides);
        return config;
    }

    // ---------------------------------------------------------------- catch-up

    private void catchUp() throws Exception {
        Report.Section section = report.section("catch_up", "1. Catch-up: " + count(options.events) + " events ("
            + options.backlog + ") pre-produced, then the connector created");
        System.out.println("Catch-up: producing a " + options.backlog + " backlog of " + count(options.events)
            + " events to " + name + " (" + options.partitions + " partitions) ...");
        Backlog backlog = Backlog.of(options.backlog, options.events, options.ids, options.window,
            Duration.ofMinutes(options.backlogMinutes), options.backlog == Backlog.Shape.UNIFORM ? userAgents
            : LeadTraffic.topUserAgents(), options.seed);
        long bytes = 0;
        long events = 0;
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Callback callback = (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
        };
        long produceStart = System.nanoTime();
        // The backlog's traffic ends when it is produced: record timestamps as after an outage that long.
        long trafficStart = System.currentTimeMillis() - options.events * 1000 / backlog.eventsPerSecond();
        try (KafkaProducer<String, String> producer = producer(20, 512 * 1024)) {
            while (backlog.hasNext()) {
                Backlog.Event event = backlog.next();
                bytes += event.key().length() + event.json().length();
                events++;
                producer.send(new ProducerRecord<>(name, null, trafficStart + event.atMillis(), event.key(), event.json()),
                    callback);
            }
            producer.flush();
        }
        long produceNanos = System.nanoTime() - produceStart;
        if (failed.get() > 0) {
            throw new BenchFailure(failed.get() + " events could not be produced: " + firstError.get());
        }
        BenchIndex.Expected expected = backlog.expected();
        expectedDocuments += expected.documents();
        expectedClicks += expected.clicks();
        expectedImpressions += expected.impressions();
        section.row("pre-produced", count(events) + " events, " + count(expected.documents()) + " ids, "
            + decimal(bytes / 1e6, 0) + " MB in " + seconds(produceNanos) + " (" + decimal(events
            / (produceNanos / 1e9), 0) + " events/s; not part of the measurement)")
            .row("backlog", options.backlog + ": " + options.backlog.description() + "; record timestamps over the "
                + options.backlogMinutes + " min before it was produced (" + count(backlog.eventsPerSecond())
                + " events/s)");
        System.out.println("  produced in " + seconds(produceNanos));
        // The backlog's garbage goes now, so that this JVM takes no CPU from the parts it measures.
        System.gc();
        if (options.readCeiling) {
            readCeiling(events);
        }
        System.out.println("  creating the connector ...");

        Snapshot before = snapshot();
        Snapshot previous = before;
        long previousMerged = 0;
        long start = System.nanoTime();
        long running = createConnector() - start;
        long merged = -1;
        long ackedAt = -1;
        long lastCheck = 0;
        long lastProgress = start;
        long lastStatus = start;
        long lastChange = start;
        long lastMerged = -1;
        long lastDocuments = 0;
        Peaks peaks = new Peaks();
        Path standstill = null;
        long bufferedMax = 0;
        long bufferedSum = 0;
        long bufferedSamples = 0;
        JsonNode esBefore = index.primaryStats();
        var progress = section.json.putArray("progress");
        BenchIndex.Totals totals = new BenchIndex.Totals(0, 0, 0);
        long deadline = start + options.timeoutSeconds * 1_000_000_000L;
        long done;
        while (true) {
            Thread.sleep(100);
            long now = System.nanoTime();
            peaks.sample();
            Map<String, Number> sink = sinkSums();
            boolean settled = false;
            if (sink != null) {
                merged = sink.getOrDefault("EventsMerged", 0L).longValue();
                long buffered = sink.getOrDefault("BufferedEvents", 0L).longValue();
                bufferedMax = Math.max(bufferedMax, buffered);
                bufferedSum += buffered;
                bufferedSamples++;
                peaks.dirty(sink.get("HeldDocuments"));
                if (merged >= events && ackedAt < 0) {
                    ackedAt = now;
                }
                // Everything merged and nothing left to write (a checkpointing sink may hold dirty documents).
                settled = merged >= events && buffered == 0 && sink.getOrDefault("HeldDocuments", 0L).longValue() == 0;
            }
            // Each check refreshes the index: often only once the sink says it wrote everything, else every 1-5 s.
            boolean check = jmx == null ? now - lastCheck >= 500_000_000L
                : settled || now - lastCheck >= (merged >= events ? 1_000_000_000L : 5_000_000_000L);
            if (check) {
                totals = index.refreshedTotals();
                lastCheck = System.nanoTime();
                if (totals.matches(expectedDocuments, expectedClicks, expectedImpressions)) {
                    done = lastCheck;
                    break;
                }
            }
            if (now - lastStatus >= 2_000_000_000L) {
                failIfTaskFailed(name);
                lastStatus = now;
            }
            if (merged != lastMerged || totals.documents() != lastDocuments) {
                lastMerged = merged;
                lastDocuments = totals.documents();
                lastChange = now;
            } else if (merged < events) {
                peaks.pause(now - lastChange);
                if (now - lastChange > STANDSTILL_DIAGNOSED.toNanos() && standstill == null) {
                    // Not a failure yet: what each task and consumer says while it lasts, for whoever looks into it.
                    standstill = stallDiagnostics();
                    System.out.println("  no progress for " + STANDSTILL_DIAGNOSED.toSeconds() + " s: diagnostics in "
                        + standstill);
                }
            }
            if (now - lastChange > STALL.toNanos()) {
                throw new BenchFailure("no progress for " + STALL.toSeconds() + " s (" + (merged < 0 ? "" : merged
                    + " events merged, ") + totals.documents() + " documents in Elasticsearch); see the worker's log "
                    + stack.getProperty("connect.log") + " and the diagnostics in " + stallDiagnostics());
            }
            if (now - lastProgress >= 5_000_000_000L) {
                lastProgress = now;
                Snapshot sample = snapshot();
                double wall = (sample.nanos() - previous.nanos()) / 1e6;
                double worker = (sample.cpu("connect") - previous.cpu("connect")) / wall;
                double elasticsearch = (sample.cpu("elasticsearch") - previous.cpu("elasticsearch")) / wall;
                long ours = 0;
                for (String part : pids.keySet()) {
                    ours += sample.cpu(part) - previous.cpu(part);
                }
                double others = (sample.machineBusyMillis() - previous.machineBusyMillis() - ours) / wall;
                progress.addObject().put("seconds", Math.round((now - start) / 1e8) / 10.0).put("events_merged", merged)
                    .put("events_merged_per_second", (merged - previousMerged) / (wall / 1000))
                    .put("documents_in_elasticsearch", totals.documents())
                    .put("worker_rss_kib", sample.rss("connect")).put("worker_heap_used_bytes", sample.heapUsed())
                    .put("worker_cores", worker).put("elasticsearch_cores", elasticsearch)
                    .put("other_processes_cores", Math.max(0, others));
                System.out.printf("  %5.1f s  %9s events merged (%6s/s)  ES %7s docs  worker RSS %s  cores: worker %.2f, "
                        + "ES %.2f, other processes %.2f%n", (now - start) / 1e9, merged < 0 ? "?" : count(merged),
                    decimal((merged - previousMerged) / (wall / 1000), 0), count(totals.documents()), mib(sample.rss("connect")),
                    worker, elasticsearch, Math.max(0, others));
                previous = sample;
                previousMerged = merged;
            }
            if (now > deadline) {
                throw new BenchFailure("the catch-up did not complete within " + options.timeoutSeconds + " s: Elasticsearch "
                    + "holds " + totals + ", expected " + expectedDocuments + " documents, clicks " + expectedClicks
                    + ", impressions " + expectedImpressions + " (sink JMX: " + merged + " events merged)");
            }
        }
        Snapshot after = snapshot();
        long elapsed = done - start;
        long writes = index.indexOperations();
        double secondsTaken = elapsed / 1e9;
        long documentCount = expected.documents();

        section.row("complete in Elasticsearch after", seconds(elapsed) + " from creating the connector (tasks running after "
                + seconds(running) + (ackedAt > 0 ? "; all events merged after " + seconds(ackedAt - start)
                + ", per the sink's JMX" : "") + ")")
            .row("checked exactly (after a refresh)", count(totals.documents()) + " documents = ids; clicks "
                + count(totals.clicks()) + " and impressions " + count(totals.impressions()) + " = produced");
        boolean exact = true;
        if (expected.hasDetails()) {
            BenchIndex.Expected held = index.refreshedDetails(expected);
            exact = held.equals(expected);
            section.row("checked exactly, in detail", exact ? "the funnel's sums " + expected.sums() + " and the documents "
                + "by last status " + expected.statuses() + " = the events' in their order"
                : "NO: Elasticsearch holds " + held + ", the events make " + expected);
            section.json.put("exact_in_detail", exact);
        }
        section.row("events/s end to end", decimal(events / secondsTaken, 0)
                + " (" + decimal(events / ((done - start - running) / 1e9), 0) + " from tasks running)")
            .row("documents/s end to end", decimal(documentCount / secondsTaken, 0) + " complete documents/s")
            .row("document writes (index operations in Elasticsearch)", count(writes) + " (" + decimal(writes / secondsTaken,
                0) + " writes/s)")
            .row("coalescing ratio", decimal((double) events / writes, 2) + " events per document write ("
                + decimal((double) writes / documentCount, 2) + " writes per document)")
            .row("index size", decimal(index.storeBytes() / 1e6, 1) + " MB");
        section.json.put("backlog", options.backlog.toString()).put("events", events).put("ids", documentCount)
            .put("documents", documentCount).put("produced_bytes", bytes)
            .put("produce_seconds", produceNanos / 1e9).put("seconds", secondsTaken)
            .put("tasks_running_seconds", running / 1e9)
            .put("merged_seconds", ackedAt > 0 ? (ackedAt - start) / 1e9 : -1)
            .put("events_per_second", events / secondsTaken)
            .put("documents_per_second", documentCount / secondsTaken)
            .put("document_writes", writes).put("coalescing_ratio", (double) events / writes)
            .put("writes_per_document", (double) writes / documentCount)
            .put("clicks", totals.clicks()).put("impressions", totals.impressions())
            .put("index_bytes", index.storeBytes());
        if (bufferedSamples > 0) {
            section.row("events buffered in the sink, all tasks (sampled every 100 ms)", "mean " + count(bufferedSum
                / bufferedSamples) + ", max " + count(bufferedMax));
            section.json.put("buffered_events_mean", bufferedSum / bufferedSamples).put("buffered_events_max", bufferedMax);
        }
        elasticsearchWork(section, esBefore, index.primaryStats(), elapsed);
        resources(section, before, after, elapsed);
        peaks.rebalances(name);
        peaks.report(section, before, after);
        if (standstill != null) {
            section.row("diagnostics taken while it stood still", standstill.toString());
            section.json.put("standstill_diagnostics", standstill.toString());
        }
        sinkMetrics(section, null, "pre-produced events waited in Kafka until the connector started");
        System.out.println("  complete after " + seconds(elapsed));
        if (!exact) {
            throw new BenchFailure("the catch-up's result is not exact: see " + options.out);
        }
    }

    /**
     * The read ceiling: the backlog consumed by {@link DiscardSinkPlugin}'s no-op sink, through the same worker with
     * the merging sink's own connector config (converters, transforms, tasks, {@code consumer.override.*} settings)
     * but for its class, timed from creating it until Connect handed every event to a task's {@code put}. Its own
     * consumer group, so the merging sink reads the same backlog afterwards from the start.
     */
    private void readCeiling(long events) throws Exception {
        Report.Section section = report.section("read_ceiling", "Read ceiling: the same backlog through a no-op sink "
            + "(same worker, converters and consumer settings)");
        String reason = jmx == null ? "the worker's JMX is not available"
            : !connect.plugins().contains(DiscardSinkPlugin.CONNECTOR_CLASS) ? "the worker has no "
            + DiscardSinkPlugin.CONNECTOR_CLASS + " (started before the stack installed it: bin/stack down, then up)" : null;
        if (reason != null) {
            section.row("not measured", reason);
            section.json.put("unavailable", reason);
            System.out.println("  read ceiling not measured: " + reason);
            return;
        }
        String readName = name + "-read";
        Map<String, String> config = new LinkedHashMap<>(connectorConfig);
        config.put("name", readName);
        config.put("connector.class", DiscardSinkPlugin.CONNECTOR_CLASS);
        System.out.println("  read ceiling: " + readName + " consumes the backlog ...");
        Snapshot before = snapshot();
        Peaks peaks = new Peaks();
        long start = System.nanoTime();
        long running;
        long done;
        long put = 0;
        Snapshot after;
        try {
            connect.putConfig(readName, config);
            try {
                connect.awaitRunning(readName, options.tasks, TASKS_TIMEOUT);
            } catch (AssertionError e) {
                throw new BenchFailure("the no-op connector did not start: " + e.getMessage());
            }
            running = System.nanoTime() - start;
            long lastChange = System.nanoTime();
            long lastStatus = lastChange;
            long last = -1;
            while (true) {
                Thread.sleep(50);
                long now = System.nanoTime();
                peaks.sample();
                put = jmx.recordsPut(readName);
                if (put >= events) {
                    done = now;
                    after = snapshot();
                    peaks.rebalances(readName);
                    break;
                }
                if (put != last) {
                    last = put;
                    lastChange = now;
                } else {
                    peaks.pause(now - lastChange);
                }
                if (now - lastChange > STALL.toNanos()) {
                    throw new BenchFailure("the no-op sink made no progress for " + STALL.toSeconds() + " s (" + put
                        + " of " + events + " records put); see " + stack.getProperty("connect.log"));
                }
                if (now - lastStatus >= 2_000_000_000L) {
                    failIfTaskFailed(readName);
                    lastStatus = now;
                }
            }
        } finally {
            deleteConnector(readName);
        }
        double secondsTaken = (done - start) / 1e9;
        Map<String, String> consumer = new java.util.TreeMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("consumer.override.")) {
                consumer.put(key.substring("consumer.override.".length()), value);
            }
        });
        section.row("every event put after", seconds(done - start) + " from creating the connector (tasks running after "
                + seconds(running) + "); " + count(put) + " records put (Connect's sink-record-send-total)")
            .row("events/s end to end", decimal(events / secondsTaken, 0) + " (" + decimal(events / ((done - start
                - running) / 1e9), 0) + " from tasks running)")
            .row("consumer settings", consumer.isEmpty() ? "the worker's (no consumer.override.*), as the merging sink's"
                : consumer + ", as the merging sink's");
        section.json.put("events", events).put("records_put", put).put("seconds", secondsTaken)
            .put("tasks_running_seconds", running / 1e9).put("events_per_second", events / secondsTaken)
            .put("connector", readName);
        resources(section, before, after, done - start);
        peaks.report(section, before, after);
        System.out.println("  read ceiling: " + count(events) + " events in " + seconds(done - start));
    }

    /**
     * Waits until the broker leads every partition of the new topic: asked for their end offsets, which only a
     * partition's leader answers. A topic is created before its broker has taken the lead, and on a loaded machine
     * the catch-up's first produce then met NOT_LEADER_OR_FOLLOWER, after which its idempotent producer kept
     * getting OUT_OF_ORDER_SEQUENCE_NUMBER until its batches expired (seen once, on a stack just started).
     * The admin client retries NOT_LEADER_OR_FOLLOWER itself, but not a topic the broker's metadata does not
     * hold yet: that UNKNOWN_TOPIC_OR_PARTITION fails the call at once (seen once in CI), so it is asked again.
     */
    private void awaitLeaders() throws Exception {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            Map<TopicPartition, OffsetSpec> latest = new LinkedHashMap<>();
            for (int partition = 0; partition < options.partitions; partition++) {
                latest.put(new TopicPartition(name, partition), OffsetSpec.latest());
            }
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (true) {
                try {
                    admin.listOffsets(latest).all().get();
                    return;
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                    Thread.sleep(100);
                }
            }
        }
    }

    /** Deletes a connector and waits until the worker no longer has it and its tasks' consumers left. */
    private void deleteConnector(String connector) {
        try {
            connect.delete(connector);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (connect.status(connector).has("connector") && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            awaitTasksGone(bootstrapServers, connector);
        } catch (RuntimeException | InterruptedException e) {
            System.err.println("Deleting connector " + connector + " failed: " + e);
        }
    }

    /**
     * Waits (up to a minute) until the deleted sink connector's consumer group has no members: its tasks have stopped,
     * their last offset commit done. The REST API forgets a connector before its tasks stop, and deleting its topic
     * then left tasks retrying that commit for a minute ("This server does not host this topic-partition") while the
     * next phase ran.
     */
    static void awaitTasksGone(String bootstrapServers, String connector) throws InterruptedException {
        String group = "connect-" + connector;
        long deadline = System.nanoTime() + 60_000_000_000L;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            while (System.nanoTime() < deadline) {
                try {
                    if (admin.describeConsumerGroups(List.of(group)).all().get().get(group).members().isEmpty()) {
                        return;
                    }
                } catch (java.util.concurrent.ExecutionException e) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        System.err.println("The tasks of the deleted connector " + connector + " are still in group " + group
            + " after a minute");
    }

    /** The worker's peaks over a phase, sampled: resident memory, heap used, and the sink's dirty documents. */
    private final class Peaks {
        private long rssKib;
        private long heapBytes = -1;
        private long dirty = -1;
        private long pauseNanos;
        private long[] rebalances;

        void sample() {
            rssKib = Math.max(rssKib, Processes.rssKib(pids.get("connect")));
            if (jmx != null) {
                try {
                    heapBytes = Math.max(heapBytes, jmx.heapUsed());
                } catch (IOException | JMException e) {
                    // left out
                }
            }
        }

        /** A phase's progress (events merged, or put) has not moved for this long. */
        void pause(long nanos) {
            pauseNanos = Math.max(pauseNanos, nanos);
        }

        void dirty(Number documents) {
            if (documents != null) {
                dirty = Math.max(dirty, documents.longValue());
            }
        }

        /** Reads the consumer rebalances of the connector's tasks so far; call while the connector runs. */
        void rebalances(String connector) {
            if (jmx != null) {
                try {
                    rebalances = jmx.consumerRebalances(connector);
                } catch (IOException | JMException e) {
                    // left out
                }
            }
        }

        void report(Report.Section section, Snapshot before, Snapshot after) {
            section.row("longest stop in progress", decimal(pauseNanos / 1e9, 1) + " s (sampled)");
            section.json.put("longest_pause_seconds", pauseNanos / 1e9);
            if (rebalances != null) {
                section.row("consumer rebalances of its tasks (longest)", rebalances[0] + " (" + count(rebalances[1])
                    + " ms)");
                section.json.put("consumer_rebalances", rebalances[0]).put("consumer_rebalance_max_ms", rebalances[1]);
            }
            long peakRss = Math.max(rssKib, after.rss("connect"));
            long peakHeap = Math.max(heapBytes, after.heapUsed());
            section.row("worker RSS before / peak during / after", mib(before.rss("connect")) + " / " + mib(peakRss)
                + " / " + mib(after.rss("connect")));
            section.json.put("worker_rss_before_kib", before.rss("connect")).put("worker_rss_peak_kib", peakRss)
                .put("worker_rss_after_kib", after.rss("connect")).put("worker_heap_peak_bytes", peakHeap);
            if (peakHeap >= 0) {
                section.row("worker heap used, peak (sampled every 50-100 ms)", decimal(peakHeap / 1048576.0, 0) + " MiB");
            }
            if (dirty >= 0) {
                section.row("sink JMX: dirty documents, peak (all tasks)", count(dirty));
                section.json.put("held_documents_peak", dirty);
            }
        }
    }

    /**
     * When a phase stalls: what each sink task reports over JMX, each partition's committed offset against its
     * end, and the worker's threads, into a file beside the results.
     *
     * @return the file
     */
    private Path stallDiagnostics() {
        String at = Long.toString(System.currentTimeMillis(), 36);
        Path file = options.out.resolveSibling(options.out.getFileName() + ".stall-" + at + ".txt");
        StringBuilder text = new StringBuilder("Stall of " + name + " at " + java.time.Instant.now() + "\n\n");
        try {
            if (jmx != null) {
                jmx.sinkTaskStates(name).forEach((task, state) -> text.append("task ").append(task).append(": ")
                    .append(state).append("\n"));
            }
        } catch (IOException | JMException | RuntimeException e) {
            text.append("sink JMX: ").append(e).append('\n');
        }
        try {
            if (jmx != null) {
                String consumers = "client-id=connector-consumer-" + name + "-*";
                text.append("\nconsumers (position, lag, paused is shown by Connect's sink-task-metrics partition-count):\n");
                for (String line : jmx.dump("kafka.consumer:type=consumer-fetch-manager-metrics," + consumers
                    + ",topic=*,partition=*", "records-lag", "records-lead", "preferred-read-replica")) {
                    text.append("  ").append(line).append('\n');
                }
                for (String line : jmx.dump("kafka.consumer:type=consumer-coordinator-metrics," + consumers,
                    "assigned-partitions", "rebalance-total", "last-rebalance-seconds-ago", "failed-rebalance-total",
                    "last-poll-seconds-ago")) {
                    text.append("  ").append(line).append('\n');
                }
                for (String line : jmx.dump("kafka.consumer:type=consumer-metrics," + consumers, "last-poll-seconds-ago",
                    "time-between-poll-max", "poll-idle-ratio-avg")) {
                    text.append("  ").append(line).append('\n');
                }
                for (String line : jmx.dump("kafka.connect:type=sink-task-metrics,connector=" + name + ",task=*",
                    "partition-count", "sink-record-read-total", "sink-record-send-total", "offset-commit-seq-no",
                    "offset-commit-completion-total", "offset-commit-skip-total", "sink-record-active-count")) {
                    text.append("  ").append(line).append('\n');
                }
            }
        } catch (IOException | JMException | RuntimeException e) {
            text.append("consumer JMX: ").append(e).append('\n');
        }
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            var committed = admin.listConsumerGroupOffsets("connect-" + name).partitionsToOffsetAndMetadata().get();
            var ends = admin.listOffsets(committed.keySet().stream().collect(java.util.stream.Collectors.toMap(
                partition -> partition, partition -> org.apache.kafka.clients.admin.OffsetSpec.latest()))).all().get();
            text.append("\ncommitted / end offsets of group connect-").append(name).append(":\n");
            new java.util.TreeMap<>(committed.entrySet().stream().collect(java.util.stream.Collectors.toMap(
                entry -> entry.getKey().toString(), entry -> entry.getValue().offset() + " / "
                    + ends.get(entry.getKey()).offset()))).forEach((partition, offsets) -> text.append("  ")
                .append(partition).append(": ").append(offsets).append('\n'));
            var group = admin.describeConsumerGroups(List.of("connect-" + name)).all().get().get("connect-" + name);
            text.append("group state ").append(group.state()).append(", members:\n");
            group.members().forEach(member -> text.append("  ").append(member.clientId()).append(" ")
                .append(member.assignment().topicPartitions()).append('\n'));
        } catch (Exception e) {
            text.append("consumer group: ").append(e).append('\n');
        }
        try {
            Process jcmd = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pids.get("connect")), "Thread.print").redirectErrorStream(true).start();
            text.append("\nworker threads:\n").append(new String(jcmd.getInputStream().readAllBytes(),
                StandardCharsets.UTF_8));
        } catch (IOException e) {
            text.append("jcmd: ").append(e).append('\n');
        }
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            System.err.println(text);
        }
        return file;
    }

    // ---------------------------------------------------------------- live

    /** Produces at the live rate for {@code --warmup} seconds, unmeasured: the connector's first moments are not the steady state. */
    private long warmUp(KafkaProducer<String, String> load, Workload workload, Callback callback) {
        long start = System.nanoTime();
        long end = start + options.warmupSeconds * 1_000_000_000L;
        long sent = 0;
        long now;
        while ((now = System.nanoTime()) < end) {
            sent = sendDue(load, workload, callback, start, now, sent);
            LockSupport.parkNanos(1_000_000L);
        }
        return sent;
    }

    /** Sends what the live rate makes due by {@code now} since {@code start}; @return the events sent in all */
    private long sendDue(KafkaProducer<String, String> load, Workload workload, Callback callback, long start, long now,
                         long sent) {
        long due = (now - start) * options.rate / 1_000_000_000L;
        while (sent < due) {
            Workload.Event event = workload.next();
            load.send(new ProducerRecord<>(name, event.id(), event.json()), callback);
            sent++;
        }
        return sent;
    }

    private void live() throws Exception {
        Report.Section section = report.section("live", "2. Live: " + count(options.rate) + " events/s for "
            + options.seconds + " s, with a latency probe");
        Workload workload = new Workload("l", -1, 0, options.eventsPerId(), options.liveWindow, userAgents,
            options.seed + 1);
        String probeId = "probe-" + name;
        int probePartition = Utils.toPositive(Utils.murmur2(probeId.getBytes(StandardCharsets.UTF_8)))
            % options.partitions;
        System.out.println();
        System.out.println("Live: " + count(options.rate) + " events/s for " + options.seconds + " s, probe on partition "
            + probePartition + " ...");
        Map<String, Number> sinkBefore = sinkSums();
        sinkBefore = sinkBefore == null ? Map.of() : sinkBefore;
        long writesBefore = index.indexOperations();
        JsonNode esBefore = index.primaryStats();
        AtomicLong failed = new AtomicLong();
        AtomicReference<Exception> firstError = new AtomicReference<>();
        Callback callback = (metadata, error) -> {
            if (error != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, error);
            }
        };
        Snapshot before = snapshot();
        long peakRss = 0;
        long sent = 0;
        long start;
        long loadEnd;
        boolean allSeen;
        ProbeLatency probe;
        try (KafkaProducer<String, String> load = producer(5, 64 * 1024);
             KafkaProducer<String, String> probes = producer(0, 16 * 1024)) {
            load.partitionsFor(name);
            probes.partitionsFor(name);
            probe = new ProbeLatency(probes, name, probeId, index, options.probeMs, options.pollMs,
                options.seconds * 1000 / options.probeMs + 10);
            long warmed = warmUp(load, workload, callback);
            if (warmed > 0) {
                System.out.println("  warmed up: " + count(warmed) + " events in " + options.warmupSeconds + " s");
            }
            start = System.nanoTime();
            probe.start();
            long end = start + options.seconds * 1_000_000_000L;
            long nextProgress = start + 10_000_000_000L;
            long now;
            while ((now = System.nanoTime()) < end) {
                sent = sendDue(load, workload, callback, start, now, sent);
                if (now >= nextProgress) {
                    nextProgress += 10_000_000_000L;
                    peakRss = Math.max(peakRss, Processes.rssKib(pids.get("connect")));
                    double[] sorted = probe.sortedLatenciesMs();
                    System.out.printf("  %4.0f s  produced %s (%s/s)  probes %d sent, %d seen, p50 %s ms, max %s ms  "
                            + "worker RSS %s%n", (now - start) / 1e9, count(sent), decimal(sent / ((now - start) / 1e9), 0),
                        probe.sent(), probe.seen(), decimal(ProbeLatency.percentile(sorted, 50), 0),
                        decimal(ProbeLatency.percentile(sorted, 100), 0), mib(Processes.rssKib(pids.get("connect"))));
                    failIfTaskFailed(name);
                }
                LockSupport.parkNanos(1_000_000L);
            }
            loadEnd = System.nanoTime();
            load.flush();
            probe.stopSending();
            allSeen = probe.awaitAllSeen(DRAIN_TIMEOUT);
            probe.stop();
        }
        if (failed.get() > 0) {
            throw new BenchFailure(failed.get() + " live events could not be produced: " + firstError.get());
        }
        long drained = System.nanoTime() - loadEnd;
        expectedDocuments += workload.ids() + (probe.sent() > 0 ? 1 : 0);
        expectedClicks += workload.clicks();
        expectedImpressions += workload.impressions();
        BenchIndex.Totals totals = awaitTotals();
        Snapshot after = snapshot();
        long elapsed = loadEnd - start;
        long writes = index.indexOperations() - writesBefore;

        double[] sorted = probe.sortedLatenciesMs();
        double achieved = sent / (elapsed / 1e9);
        section.row("produced", count(sent) + " events over " + count(workload.ids()) + " new ids in " + seconds(elapsed)
                + " = " + decimal(achieved, 0) + " events/s achieved (target " + count(options.rate) + ")")
            .row("probe latency p50 / p95 / p99 / max", decimal(ProbeLatency.percentile(sorted, 50), 0) + " / "
                + decimal(ProbeLatency.percentile(sorted, 95), 0) + " / " + decimal(ProbeLatency.percentile(sorted, 99), 0)
                + " / " + decimal(ProbeLatency.percentile(sorted, 100), 0) + " ms (produce -> visible in a realtime GET)")
            .row("probes", probe.sent() + " sent, " + probe.seen() + " seen" + (allSeen ? "" : " (NOT ALL within "
                + DRAIN_TIMEOUT.toSeconds() + " s)") + "; partition " + probePartition + "; " + count(probe.polls())
                + " GETs (one per " + decimal((System.nanoTime() - start) / 1e6 / Math.max(1, probe.polls()), 1)
                + " ms)" + (probe.pollErrors() > 0 ? ", " + probe.pollErrors() + " failed: " + probe.lastPollError() : ""))
            .row("last probe seen after the load stopped", seconds(drained))
            .row("checked exactly afterwards", totals.matches(expectedDocuments, expectedClicks, expectedImpressions)
                ? count(totals.documents()) + " documents, clicks and impressions = everything produced"
                : "NO: " + totals + ", expected " + expectedDocuments + " documents, clicks " + expectedClicks
                + ", impressions " + expectedImpressions)
            .row("document writes", count(writes) + " (" + decimal(writes / (elapsed / 1e9), 0) + " writes/s; "
                + decimal((double) (sent + probe.sent()) / Math.max(1, writes), 2) + " events per write)");
        section.json.put("events", sent).put("ids", workload.ids()).put("seconds", elapsed / 1e9)
            .put("events_per_second", achieved).put("target_events_per_second", options.rate)
            .put("probe_partition", probePartition).put("probes_sent", probe.sent()).put("probes_seen", probe.seen())
            .put("probe_gets", probe.polls()).put("probe_get_errors", probe.pollErrors())
            .put("latency_p50_ms", ProbeLatency.percentile(sorted, 50))
            .put("latency_p95_ms", ProbeLatency.percentile(sorted, 95))
            .put("latency_p99_ms", ProbeLatency.percentile(sorted, 99))
            .put("latency_max_ms", ProbeLatency.percentile(sorted, 100))
            .put("drain_seconds", drained / 1e9).put("document_writes", writes)
            .put("exact", totals.matches(expectedDocuments, expectedClicks, expectedImpressions));
        var latencies = section.json.putArray("probe_latencies_ms");
        for (int n = 1; n <= probe.seen(); n++) {
            latencies.add(Math.round(probe.latencyMs(n) * 10) / 10.0);
        }
        elasticsearchWork(section, esBefore, index.primaryStats(), elapsed);
        resources(section, before, after, elapsed);
        section.row("worker RSS before / peak during / after", mib(before.rss("connect")) + " / "
            + mib(Math.max(peakRss, after.rss("connect"))) + " / " + mib(after.rss("connect")));
        section.json.put("worker_rss_before_kib", before.rss("connect")).put("worker_rss_after_kib", after.rss("connect"));
        sinkMetrics(section, sinkBefore, options.catchUp ? "the sink's window of the last 1-2 min, so it may include "
            + "catch-up events" : "the last 1-2 min");
    }

    /** Waits until the index holds exactly what was produced, or the drain timeout passed; @return the last totals */
    private BenchIndex.Totals awaitTotals() throws InterruptedException {
        long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
        BenchIndex.Totals totals;
        while (!(totals = index.refreshedTotals()).matches(expectedDocuments, expectedClicks, expectedImpressions)
            && System.nanoTime() < deadline) {
            Thread.sleep(250);
        }
        return totals;
    }

    // ---------------------------------------------------------------- shared

    /**
     * @return the sink's metrics summed over tasks, or null without JMX; a worker that stops answering
     *     (it may have run out of memory) leaves the benchmark to go on with Elasticsearch alone
     */
    private Map<String, Number> sinkSums() {
        if (jmx == null) {
            return null;
        }
        try {
            return jmx.sinkSums(name);
        } catch (IOException | JMException | RuntimeException e) {
            System.err.println("The worker's JMX stopped answering (" + e + "); going on without it. See "
                + stack.getProperty("connect.log"));
            jmx.close();
            jmx = null;
            return null;
        }
    }

    /** Creates the connector and waits until all its tasks run; @return System.nanoTime() then */
    private long createConnector() {
        connect.putConfig(name, connectorConfig);
        connectorCreated = true;
        try {
            connect.awaitRunning(name, options.tasks, TASKS_TIMEOUT);
        } catch (AssertionError e) {
            throw new BenchFailure("the connector did not start: " + e.getMessage());
        }
        return System.nanoTime();
    }

    private void failIfTaskFailed(String connector) {
        JsonNode status = connect.status(connector);
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                throw new BenchFailure("task " + task.path("id").asText() + " failed: " + task.path("trace").asText());
            }
        }
    }

    /** Resident memory and CPU of every part, the machine's busy time, the worker's heap and GC, at one moment. */
    private record Snapshot(long nanos, Map<String, long[]> parts, long machineBusyMillis, long heapUsed, long[] gc,
                            String loadAverage) {

        long rss(String part) {
            return parts.get(part)[0];
        }

        long cpu(String part) {
            return parts.get(part)[1];
        }
    }

    private Snapshot snapshot() {
        Map<String, long[]> parts = new LinkedHashMap<>();
        pids.forEach((part, pid) -> parts.put(part, new long[] {Processes.rssKib(pid), Processes.cpuMillis(pid)}));
        long heap = -1;
        long[] gc = {-1, -1};
        if (jmx != null) {
            try {
                heap = jmx.heapUsed();
                gc = jmx.gc();
            } catch (IOException | JMException e) {
                // reported as unknown
            }
        }
        return new Snapshot(System.nanoTime(), parts, Processes.machineBusyMillis(), heap, gc, Processes.loadAverage());
    }

    /** Adds what Elasticsearch did for the index over the phase, from its own statistics. */
    private static void elasticsearchWork(Report.Section section, JsonNode before, JsonNode after, long elapsedNanos) {
        ObjectNode json = section.json.putObject("elasticsearch_stats");
        String[][] stats = {{"index_total", "/indexing/index_total"}, {"index_millis", "/indexing/index_time_in_millis"},
            {"gets", "/get/total"}, {"get_millis", "/get/time_in_millis"}, {"searches", "/search/query_total"},
            {"refreshes", "/refresh/total"}, {"refresh_millis", "/refresh/total_time_in_millis"},
            {"merges", "/merges/total"}, {"merge_millis", "/merges/total_time_in_millis"},
            {"flushes", "/flush/total"}, {"segments", "/segments/count"}};
        for (String[] stat : stats) {
            long value = after.at(stat[1]).asLong(0);
            json.put(stat[0], stat[0].equals("segments") ? value : value - before.at(stat[1]).asLong(0));
        }
        double wall = elapsedNanos / 1e6;
        section.row("Elasticsearch's own statistics over the phase", count(json.get("index_total").asLong())
            + " index operations (" + decimal(json.get("index_millis").asLong() / wall, 2) + " threads busy indexing), "
            + count(json.get("gets").asLong()) + " document gets, " + json.get("refreshes").asLong() + " refreshes ("
            + decimal(json.get("refresh_millis").asLong() / 1000.0, 1) + " s), " + json.get("merges").asLong()
            + " merges (" + decimal(json.get("merge_millis").asLong() / 1000.0, 1) + " s), "
            + json.get("segments").asLong() + " segments at the end");
    }

    /** Adds CPU per part over the phase (in cores), memory, heap and GC rows. */
    private void resources(Report.Section section, Snapshot before, Snapshot after, long elapsedNanos) {
        double wall = (after.nanos() - before.nanos()) / 1e6;
        StringBuilder cpu = new StringBuilder();
        ObjectNode cpuJson = section.json.putObject("cpu_cores");
        long ours = 0;
        for (String part : pids.keySet()) {
            long used = after.cpu(part) - before.cpu(part);
            ours += used;
            cpu.append(cpu.length() == 0 ? "" : ", ").append(part.equals("connect") ? "worker" : part).append(' ')
                .append(decimal(used / wall, 2));
            cpuJson.put(part, used / wall);
        }
        long machine = after.machineBusyMillis() - before.machineBusyMillis();
        cpuJson.put("machine", machine / wall).put("other_processes", (machine - ours) / wall);
        section.row("CPU used, in cores (of " + Runtime.getRuntime().availableProcessors() + ")", cpu + "; whole machine "
            + decimal(machine / wall, 2) + ", of which other processes " + decimal((machine - ours) / wall, 2))
            .row("load average before / after", before.loadAverage() + " / " + after.loadAverage());
        if ((machine - ours) / wall > 0.2) {
            section.row("WARNING", "processes outside the stack and the benchmark used " + decimal((machine - ours) / wall, 2)
                + " cores during this phase: the machine was shared, so these figures are lower than on a quiet one");
        }
        ObjectNode rss = section.json.putObject("rss_kib");
        for (String part : pids.keySet()) {
            rss.putObject(part).put("before", before.rss(part)).put("after", after.rss(part));
        }
        section.row("Elasticsearch / broker RSS before -> after", mib(before.rss("elasticsearch")) + " -> "
            + mib(after.rss("elasticsearch")) + " / " + mib(before.rss("kafka")) + " -> " + mib(after.rss("kafka")));
        if (after.heapUsed() >= 0) {
            long collections = after.gc()[0] - before.gc()[0];
            long gcMillis = after.gc()[1] - before.gc()[1];
            long max = -1;
            try {
                max = jmx.heapMax();
            } catch (IOException | JMException e) {
                // left out
            }
            section.row("worker heap used before / after; GC", decimal(before.heapUsed() / 1048576.0, 0) + " / "
                + decimal(after.heapUsed() / 1048576.0, 0) + " MiB of " + decimal(max / 1048576.0, 0) + "; " + collections + " collections, "
                + decimal(gcMillis / 1000.0, 1) + " s (" + decimal(100.0 * gcMillis / (elapsedNanos / 1e6), 1)
                + "% of the time)");
            section.json.put("worker_heap_before_bytes", before.heapUsed()).put("worker_heap_after_bytes", after.heapUsed())
                .put("worker_heap_max_bytes", max).put("worker_gc_collections", collections).put("worker_gc_millis", gcMillis);
        }
    }

    /** Adds the sink tasks' own JMX metrics (differences from {@code before}, when given, for counters). */
    private void sinkMetrics(Report.Section section, Map<String, Number> before, String lagNote) {
        if (jmx == null) {
            section.row("sink JMX metrics", "not available (could not attach to the worker)");
            return;
        }
        Map<String, Map<String, Number>> tasks;
        try {
            tasks = jmx.sinkTasks(name);
        } catch (IOException | JMException e) {
            section.row("sink JMX metrics", "not available: " + e);
            return;
        }
        Map<String, Number> totals = WorkerJmx.totals(tasks);
        ObjectNode json = section.json.putObject("sink_jmx");
        for (String counter : WorkerJmx.COUNTERS) {
            long value = totals.getOrDefault(counter, 0L).longValue();
            boolean gauge = counter.equals("CacheSize") || counter.equals("CacheBytes");
            if (before != null && !gauge) {
                value -= before.getOrDefault(counter, 0L).longValue();
            }
            json.put(counter, value);
        }
        StringBuilder checkpoints = new StringBuilder();
        for (String optional : WorkerJmx.OPTIONAL) {
            if (totals.containsKey(optional)) {
                long value = totals.get(optional).longValue();
                if (before != null && !optional.equals("HeldDocuments")) {
                    value -= before.getOrDefault(optional, 0L).longValue();
                }
                json.put(optional, value);
                checkpoints.append(checkpoints.length() == 0 ? "" : ", ").append(optional).append(' ').append(count(value));
            }
        }
        if (checkpoints.length() > 0) {
            section.row("sink JMX: checkpoints", checkpoints.toString());
        }
        ObjectNode perTask = json.putObject("tasks");
        tasks.forEach((task, values) -> {
            ObjectNode node = perTask.putObject(task);
            values.forEach((key, value) -> node.put(key, value.doubleValue()));
        });
        long merged = json.get("EventsMerged").asLong();
        long written = json.get("DocumentsWritten").asLong();
        long hits = json.get("CacheHits").asLong();
        long misses = json.get("CacheMisses").asLong();
        section.row("sink JMX: events merged / documents written", count(merged) + " / " + count(written) + " ("
                + decimal((double) merged / Math.max(1, written), 2) + " events per write); duplicates "
                + json.get("EventsDuplicate").asLong() + ", rejected " + json.get("EventsRejected").asLong()
                + ", conflicts " + json.get("WriteConflicts").asLong())
            .row("sink JMX: bulk requests", count(json.get("BulkRequests").asLong()) + ", avg "
                + decimal(totals.get("BulkLatencyAvgMs").doubleValue(), 1) + " ms (slowest task), max "
                + totals.get("BulkLatencyMaxMs") + " ms")
            .row("sink JMX: multi-gets", count(json.get("MultiGetRequests").asLong()) + " requests ("
                + decimal((double) json.get("MultiGetRequests").asLong() / Math.max(1, written), 3) + " per document write) "
                + "reading " + count(json.get("MultiGetDocuments").asLong()) + " documents; "
                + count(json.get("CreateConflicts").asLong()) + " documents written create-first existed (409, read, "
                + "written again)")
            .row("sink JMX: cache", count(hits) + " hits, " + count(misses) + " misses; " + count(json.get("CacheSize")
                .asLong()) + " documents, " + decimal(json.get("CacheBytes").asLong() / 1048576.0, 0) + " MiB (weighed)")
            .row("sink JMX: reporting lag p50 / p95 / p99 / max (worst task)", totals.get("ReportingLagP50Ms") + " / "
                + totals.get("ReportingLagP95Ms") + " / " + totals.get("ReportingLagP99Ms") + " / "
                + totals.get("ReportingLagMaxMs") + " ms (event time -> acknowledged, rounded up to a power of two; "
                + lagNote + ")");
        try {
            Map<String, Map<String, Number>> connectTasks = jmx.connectTasks(name);
            ObjectNode connectJson = section.json.putObject("connect_jmx");
            double commitAvg = 0;
            double commitMax = 0;
            double putAvg = 0;
            double putMax = 0;
            for (Map.Entry<String, Map<String, Number>> task : connectTasks.entrySet()) {
                ObjectNode node = connectJson.putObject(task.getKey());
                task.getValue().forEach((key, value) -> node.put(key, value.doubleValue()));
                commitAvg = Math.max(commitAvg, finite(task.getValue().get("offset-commit-avg-time-ms")));
                commitMax = Math.max(commitMax, finite(task.getValue().get("offset-commit-max-time-ms")));
                putAvg = Math.max(putAvg, finite(task.getValue().get("put-batch-avg-time-ms")));
                putMax = Math.max(putMax, finite(task.getValue().get("put-batch-max-time-ms")));
            }
            section.row("Connect JMX: offset commit (includes the sink's preCommit) avg / max", decimal(commitAvg, 0)
                    + " / " + decimal(commitMax, 0) + " ms (worst task, Connect's window of about the last minute)")
                .row("Connect JMX: put avg / max", decimal(putAvg, 1) + " / " + decimal(putMax, 0) + " ms (worst task)");
        } catch (IOException | JMException e) {
            section.row("Connect JMX", "not available: " + e);
        }
    }

    private static double finite(Number value) {
        return value == null || !Double.isFinite(value.doubleValue()) ? 0 : value.doubleValue();
    }

    private KafkaProducer<String, String> producer(int lingerMs, int batchBytes) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("acks", "all");
        props.put("linger.ms", String.valueOf(lingerMs));
        props.put("batch.size", String.valueOf(batchBytes));
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    private void cleanUp() {
        if (options.keep) {
            System.out.println("Kept connector, topic and index " + name + " (--keep).");
            return;
        }
        try {
            if (connectorCreated) {
                connect.delete(name);
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (connect.status(name).has("connector") && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                }
                awaitTasksGone(bootstrapServers, name);
            }
        } catch (RuntimeException | InterruptedException e) {
            System.err.println("Deleting connector " + name + " failed: " + e);
        }
        try {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
                admin.deleteTopics(List.of(name, name + "-dlq")).topicNameValues().values().forEach(future -> {
                    try {
                        future.get();
                    } catch (Exception e) {
                        // the dead letter queue exists only when something was rejected
                    }
                });
            }
            index.delete();
            documents.send("DELETE", "/_index_template/" + name, null);
        } catch (RuntimeException e) {
            System.err.println("Deleting topic, index and template " + name + " failed: " + e);
        }
    }

    private String connectVersion() {
        try {
            var http = java.net.http.HttpClient.newHttpClient();
            var response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(stack.getProperty("connect.url")
                + "/")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return Report.JSON.readTree(response.body()).path("version").asText("?");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    /** @return a setting of the worker's worker.properties (next to its log), or "?" */
    private String workerSetting(String key) {
        try (var reader = Files.newBufferedReader(Paths.get(stack.getProperty("connect.log")).resolveSibling(
            "worker.properties"), StandardCharsets.UTF_8)) {
            Properties worker = new Properties();
            worker.load(reader);
            return worker.getProperty(key, "? (Connect's default)");
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /** @return the heap and GC options of a process's command line */
    private static String jvmOptions(Long pid) {
        if (pid == null) {
            return "?";
        }
        try {
            String[] args = new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")),
                StandardCharsets.UTF_8).split("\0");
            List<String> options = new ArrayList<>();
            for (String arg : args) {
                if (arg.startsWith("-Xm") || arg.startsWith("-XX:+Use")) {
                    options.add(arg);
                }
            }
            return String.join(" ", options);
        } catch (IOException e) {
            return "?";
        }
    }

    /** The benchmark could not measure what it set out to (a task failed, a timeout); says what and why. */
    private static final class BenchFailure extends RuntimeException {
        BenchFailure(String message) {
            super(message);
        }
    }
}
