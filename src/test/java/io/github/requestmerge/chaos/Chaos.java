package io.github.requestmerge.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.producer.RecordMetadata;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.TestData;
import io.github.requestmerge.stack.ConnectWorker;
import io.github.requestmerge.stack.ElasticsearchNode;
import io.github.requestmerge.stack.KafkaBroker;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.FaultCheck;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.StatusWatcher;
import io.github.requestmerge.testing.Topics;

/**
 * {@code bin/chaos}: the merging sink under live traffic while Elasticsearch, the Connect worker
 * and the Kafka broker are killed or frozen at random moments, several faults in a row and some
 * overlapping; then every document is checked against the merge computed independently from the
 * traffic, the dead letter queue against the bad records, and the connector's status history for
 * FAILED tasks. Nothing but the faulty process is ever touched: no task restart, no config resubmit.
 *
 * <p>Deterministic for a seed (the traffic and the fault plan; not the machine's timing). Runs its own
 * stack (Elasticsearch, broker, worker as separate processes) under {@code target/chaos}; it exits
 * with 0 only when nothing was lost, nothing double-counted, the DLQ held exactly the bad records and
 * no task was ever FAILED.
 */
public final class Chaos {

    static final String USAGE = String.join("\n",
        "usage: bin/chaos [options]",
        "  --minutes N     how long traffic flows while faults are injected (default 10)",
        "  --seed S        traffic and fault plan seed (default: random, printed)",
        "  --rate R        events per second (default 200)",
        "  --es 8|9        Elasticsearch 8.19 or 9.5 (default 8; 9 needs a JDK 21+)",
        "  --out DIR       where the report goes (default target/chaos)");

    /** What is done to which process, and how it is mended. */
    enum Kind {
        ELASTICSEARCH_KILL("Elasticsearch SIGKILL, restarted", "elasticsearch", 5_000, 45_000, 3),
        ELASTICSEARCH_FREEZE("Elasticsearch SIGSTOP, then SIGCONT", "elasticsearch", 5_000, 40_000, 2),
        WORKER_KILL("Connect worker SIGKILL, restarted", "worker", 0, 20_000, 2),
        BROKER_KILL("Kafka broker SIGKILL, restarted", "broker", 3_000, 20_000, 2);

        final String label;
        final String part;
        final int minHoldMs;
        final int maxHoldMs;
        final int weight;

        Kind(String label, String part, int minHoldMs, int maxHoldMs, int weight) {
            this.label = label;
            this.part = part;
            this.minHoldMs = minHoldMs;
            this.maxHoldMs = maxHoldMs;
            this.weight = weight;
        }
    }

    /** One planned fault: what, when after the traffic starts, and for how long before it is mended. */
    record Fault(int number, Kind kind, long atMs, long holdMs) {
        long endMs() {
            return atMs + holdMs;
        }
    }

    /** What happened when a fault was injected and mended (times in ms after the traffic started). */
    static final class Outcome {
        final Fault fault;
        volatile long injectedAtMs = -1;
        volatile long mendedAtMs = -1;
        volatile String error;

        Outcome(Fault fault) {
            this.fault = fault;
        }
    }

    private static final long WARM_UP_MS = 30_000;
    private static final long QUIET_TAIL_MS = 45_000;
    private static final int EVENTS_PER_REQUEST = 6;
    private static final int PARTITIONS = 4;
    private static final int TASKS = 2;

    private Chaos() {
    }

    /**
     * The fault plan for a seed: the first fault after a warm-up, then one every 10-60 s, each held
     * for a random time within its kind's range, so that faults of different processes overlap; none
     * is planned to end in the last 45 s of traffic.
     */
    static List<Fault> plan(long seed, long trafficMs) {
        Random random = new Random(seed);
        int totalWeight = 0;
        for (Kind kind : Kind.values()) {
            totalWeight += kind.weight;
        }
        List<Fault> faults = new ArrayList<>();
        long lastEnd = trafficMs - QUIET_TAIL_MS;
        for (long at = WARM_UP_MS; at < lastEnd; at += 10_000 + random.nextInt(50_000)) {
            int pick = random.nextInt(totalWeight);
            Kind kind = null;
            for (Kind candidate : Kind.values()) {
                pick -= candidate.weight;
                if (pick < 0) {
                    kind = candidate;
                    break;
                }
            }
            long hold = kind.minHoldMs + random.nextInt(kind.maxHoldMs - kind.minHoldMs + 1);
            faults.add(new Fault(faults.size() + 1, kind, at, Math.min(hold, lastEnd - at)));
        }
        return faults;
    }

    public static void main(String[] args) throws Exception {
        int minutes = 10;
        long seed = new Random().nextInt(1_000_000);
        int rate = 200;
        String es = "8";
        Path out = Paths.get("target/chaos");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--minutes" -> minutes = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--es" -> es = args[++i];
                case "--out" -> out = Paths.get(args[++i]);
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("bin/chaos: unknown option " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        System.setProperty("stack.elasticsearch", es);
        if (System.getProperty("stack.dir", "").isBlank()) {
            System.setProperty("stack.dir", out.resolve("stack").toAbsolutePath().toString());
        }
        System.exit(run(minutes, seed, rate, out) ? 0 : 1);
    }

    private static boolean run(int minutes, long seed, int rate, Path out) throws Exception {
        long trafficMs = minutes * 60_000L;
        int events = (int) Math.min(Integer.MAX_VALUE, (long) rate * trafficMs / 1000);
        int requests = Math.max(100, events / EVENTS_PER_REQUEST);
        int badOfEachKind = Math.max(3, events / 20_000);
        List<Fault> plan = plan(seed, trafficMs);

        System.out.printf(Locale.ROOT, "bin/chaos: seed %d, %d min of traffic at %d events/s (%,d requests), %d faults "
            + "planned; starting the stack in %s ...%n", seed, minutes, rate, requests, plan.size(),
            System.getProperty("stack.dir"));
        ElasticsearchNode elasticsearch = ElasticsearchNode.start();
        KafkaBroker broker = KafkaBroker.start();
        ConnectWorker worker = ConnectWorker.start(broker);
        String version = new Documents(elasticsearch.url()).send("GET", "/", null).path("version").path("number")
            .asText();
        System.out.printf("Elasticsearch %s at %s, broker %s, worker %s%n", version, elasticsearch.url(),
            broker.bootstrapServers(), worker.restUrl());

        String name = "chaos-" + seed;
        RequestTimeline timeline = new RequestTimeline(requests, EVENTS_PER_REQUEST, PARTITIONS, seed, badOfEachKind);
        Topics topics = new Topics(broker.bootstrapServers());
        Documents documents = new Documents(elasticsearch.url());
        topics.create(name, PARTITIONS);
        ConnectRest connect = new ConnectRest(worker.restUrl());
        connect.putConfig(name, connectorConfig(name, elasticsearch.url()));
        connect.awaitRunning(name, TASKS, Duration.ofMinutes(2));

        StatusWatcher watcher = StatusWatcher.watch(name, worker.restUrl());
        FaultCheck check = new FaultCheck("chaos", timeline, documents, name, watcher);
        long start = System.nanoTime();
        StallMonitor stalls = new StallMonitor(documents, name, start);
        Topics.Stream stream = topics.stream(name, timeline.events(), Duration.ofMillis(trafficMs));
        stalls.start();

        Map<String, ReentrantLock> parts = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            parts.putIfAbsent(kind.part, new ReentrantLock());
        }
        List<Outcome> outcomes = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (Fault fault : plan) {
            Outcome outcome = new Outcome(fault);
            outcomes.add(outcome);
            Thread thread = new Thread(() -> inject(outcome, start, parts.get(fault.kind().part), elasticsearch, worker,
                broker), "chaos-fault-" + fault.number());
            thread.start();
            threads.add(thread);
        }
        for (Thread thread : threads) {
            thread.join();
        }
        System.out.printf(Locale.ROOT, "%s: every fault mended; waiting for the traffic to end ...%n",
            clock(System.nanoTime() - start));
        List<RecordMetadata> produced = stream.finish(Duration.ofMinutes(10));
        // Documents can only all be right once every event is produced: recovery is measured from there.
        check.faultEnded("the traffic ended");
        System.out.printf(Locale.ROOT, "%s: traffic ended; waiting for the documents to be right ...%n",
            clock(System.nanoTime() - start));
        FaultCheck.Verdict verdict = check.measure(Duration.ofMinutes(5), topics, name, name + "-dlq", produced);
        stalls.close();
        watcher.close();

        String report = report(seed, minutes, rate, version, timeline, plan, outcomes, verdict, stalls);
        System.out.println();
        System.out.println(report);
        Files.createDirectories(out);
        Files.writeString(out.resolve("chaos.md"), report, StandardCharsets.UTF_8);
        Files.writeString(out.resolve("chaos.json"), json(seed, minutes, rate, version, outcomes, verdict, stalls),
            StandardCharsets.UTF_8);
        boolean good = verdict.exact() && verdict.lost() == 0 && verdict.doubleCounted() == 0
            && outcomes.stream().allMatch(o -> o.error == null);
        if (!good) {
            System.out.println("FAILED: " + (verdict.wrong().isEmpty() ? "" : verdict.wrong().size()
                + " documents wrong, e.g. " + verdict.wrong().get(0) + "; ") + watcher.failures());
        }
        System.out.println("Report: " + out.resolve("chaos.md") + "; logs under " + System.getProperty("stack.dir"));
        worker.close();
        broker.close();
        elasticsearch.close();
        return good;
    }

    /** The shipped connector config (with its Enrich SMT), pointed at this run's topic, index and node. */
    private static Map<String, String> connectorConfig(String name, String elasticsearchUrl) throws IOException {
        Path shipped = Paths.get(System.getProperty("project.basedir", ".")).resolve("config/request-merge-sink.json");
        JsonNode file = new ObjectMapper().readTree(shipped.toFile());
        Map<String, String> config = new LinkedHashMap<>();
        file.fields().forEachRemaining(field -> config.put(field.getKey(), field.getValue().asText()));
        config.put("name", name);
        config.put("topics", name);
        config.put("tasks.max", String.valueOf(TASKS));
        config.put("connection.urls", elasticsearchUrl);
        config.put("index.name", name);
        config.put("index.template.name", name);
        config.put("errors.deadletterqueue.topic.name", name + "-dlq");
        config.put("transforms.enrich.geoip.database.path", TestData.geoLite2City().toString());
        // As the README recommends: the restarted worker's consumers get their partitions 10 s after a crash,
        // not 45 s.
        config.put("consumer.override.session.timeout.ms", "10000");
        return config;
    }

    private static void inject(Outcome outcome, long start, ReentrantLock part, ElasticsearchNode elasticsearch,
                               ConnectWorker worker, KafkaBroker broker) {
        Fault fault = outcome.fault;
        try {
            sleepUntil(start, fault.atMs());
            // A process is broken by one fault at a time: a later fault of the same process waits for the mend.
            part.lock();
            try {
                outcome.injectedAtMs = millisSince(start);
                System.out.printf(Locale.ROOT, "%s: #%d %s, for %.1f s%n", clock(outcome.injectedAtMs * 1_000_000),
                    fault.number(), fault.kind().label, fault.holdMs() / 1000.0);
                switch (fault.kind()) {
                    case ELASTICSEARCH_KILL -> elasticsearch.kill();
                    case ELASTICSEARCH_FREEZE -> elasticsearch.freeze();
                    case WORKER_KILL -> worker.kill();
                    case BROKER_KILL -> broker.kill();
                    default -> throw new IllegalStateException(fault.kind().name());
                }
                Thread.sleep(fault.holdMs());
                switch (fault.kind()) {
                    case ELASTICSEARCH_KILL -> elasticsearch.restart();
                    case ELASTICSEARCH_FREEZE -> elasticsearch.thaw();
                    case WORKER_KILL -> worker.restart();
                    case BROKER_KILL -> broker.restart();
                    default -> throw new IllegalStateException(fault.kind().name());
                }
                outcome.mendedAtMs = millisSince(start);
                System.out.printf(Locale.ROOT, "%s: #%d mended%n", clock(outcome.mendedAtMs * 1_000_000), fault.number());
            } finally {
                part.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            outcome.error = "interrupted";
        } catch (RuntimeException e) {
            outcome.error = e.toString();
            System.out.println("#" + fault.number() + " could not be injected or mended: " + e);
        }
    }

    /**
     * The longest time the index took no write while the run lasted: how long reports went stale at
     * worst. It watches the index's indexing counter, which starts again at 0 when Elasticsearch
     * restarts, so any change of it is progress.
     */
    static final class StallMonitor implements AutoCloseable {
        private final Documents documents;
        private final String index;
        private final long start;
        private final Thread thread;
        private volatile boolean closed;
        private volatile long longestMs;
        private volatile long longestFromMs;

        StallMonitor(Documents documents, String index, long start) {
            this.documents = documents;
            this.index = index;
            this.start = start;
            this.thread = new Thread(this::run, "chaos-stalls");
            this.thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            long lastTotal = -1;
            long lastChange = System.nanoTime();
            while (!closed) {
                long total = -1;
                try {
                    total = documents.send("GET", "/" + index + "/_stats/indexing", null).path("_all").path("primaries")
                        .path("indexing").path("index_total").asLong(-1);
                } catch (RuntimeException e) {
                    // Elasticsearch is down or frozen: no write is visible, the stall goes on.
                }
                long now = System.nanoTime();
                if (total >= 0 && total != lastTotal) {
                    lastTotal = total;
                    lastChange = now;
                } else if ((now - lastChange) / 1_000_000 > longestMs) {
                    longestMs = (now - lastChange) / 1_000_000;
                    longestFromMs = (lastChange - start) / 1_000_000;
                }
                try {
                    Thread.sleep(1_000);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long longestMs() {
            return longestMs;
        }

        /** @return when the longest stall began, in ms after the traffic started */
        long longestFromMs() {
            return longestFromMs;
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }

    private static String report(long seed, int minutes, int rate, String version, RequestTimeline timeline,
                                 List<Fault> plan, List<Outcome> outcomes, FaultCheck.Verdict verdict,
                                 StallMonitor stalls) {
        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "bin/chaos --minutes %d --seed %d: %,d events (%d bad) of %,d requests at "
            + "%d events/s over %d partitions and %d tasks; Elasticsearch %s%n%n", minutes, seed, verdict.events(),
            verdict.badRecords(), timeline.ids().size(), rate, PARTITIONS, TASKS, version));
        report.append("| # | at | fault | held | mended after | overlaps |\n|---|---|---|---|---|---|\n");
        Map<Kind, Integer> perKind = new EnumMap<>(Kind.class);
        for (Outcome outcome : outcomes) {
            Fault fault = outcome.fault;
            perKind.merge(fault.kind(), 1, Integer::sum);
            List<String> overlaps = new ArrayList<>();
            for (Outcome other : outcomes) {
                if (other != outcome && overlap(outcome, other)) {
                    overlaps.add("#" + other.fault.number());
                }
            }
            report.append(String.format(Locale.ROOT, "| %d | %s | %s | %.1f s | %s | %s |%n", fault.number(),
                outcome.injectedAtMs < 0 ? "-" : clock(outcome.injectedAtMs * 1_000_000), fault.kind().label,
                fault.holdMs() / 1000.0, outcome.error != null ? "ERROR " + outcome.error
                    : String.format(Locale.ROOT, "%.1f s", (outcome.mendedAtMs - outcome.injectedAtMs) / 1000.0),
                overlaps.isEmpty() ? "" : String.join(" ", overlaps)));
        }
        report.append('\n');
        StringBuilder kinds = new StringBuilder();
        for (Iterator<Map.Entry<Kind, Integer>> it = perKind.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Kind, Integer> entry = it.next();
            kinds.append(entry.getValue()).append(' ').append(entry.getKey().name().toLowerCase(Locale.ROOT)
                .replace('_', '-')).append(it.hasNext() ? ", " : "");
        }
        report.append("| faults injected | events | documents checked | lost | double-counted | DLQ | tasks ever FAILED "
            + "| longest stall | all right after the traffic ended |\n|---|---|---|---|---|---|---|---|---|\n");
        report.append(String.format(Locale.ROOT, "| %d (%s) | %,d (%d bad) | %,d | %d | %d | %d of %d bad records%s "
                + "(%d repeats) | %d | %.1f s (from %s) | %s |%n", plan.size(), kinds, verdict.events(), verdict.badRecords(),
            verdict.documents(), verdict.lost(), verdict.doubleCounted(),
            verdict.badRecords() - verdict.missingDead().size(), verdict.badRecords(),
            verdict.unexpectedDead().isEmpty() ? "" : ", " + verdict.unexpectedDead().size() + " not bad",
            verdict.deadDuplicates(), verdict.failedTasks(), stalls.longestMs() / 1000.0,
            clock(stalls.longestFromMs() * 1_000_000),
            verdict.recoveredSeconds() == null ? "NEVER" : String.format(Locale.ROOT, "%.1f s", verdict.recoveredSeconds())));
        return report.toString();
    }

    private static boolean overlap(Outcome a, Outcome b) {
        long aEnd = a.mendedAtMs < 0 ? Long.MAX_VALUE : a.mendedAtMs;
        long bEnd = b.mendedAtMs < 0 ? Long.MAX_VALUE : b.mendedAtMs;
        return a.injectedAtMs >= 0 && b.injectedAtMs >= 0 && a.injectedAtMs < bEnd && b.injectedAtMs < aEnd;
    }

    private static String json(long seed, int minutes, int rate, String version, List<Outcome> outcomes,
                               FaultCheck.Verdict verdict, StallMonitor stalls) throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("seed", seed).put("minutes", minutes).put("rate", rate).put("elasticsearch", version);
        ArrayNode faults = root.putArray("faults");
        for (Outcome outcome : outcomes) {
            faults.addObject().put("number", outcome.fault.number()).put("kind", outcome.fault.kind().name())
                .put("injected_ms", outcome.injectedAtMs).put("held_ms", outcome.fault.holdMs())
                .put("mended_ms", outcome.mendedAtMs).put("error", outcome.error);
        }
        root.put("events", verdict.events()).put("bad_records", verdict.badRecords()).put("documents", verdict.documents())
            .put("lost", verdict.lost()).put("double_counted", verdict.doubleCounted()).put("dlq", verdict.dead())
            .put("dlq_duplicates", verdict.deadDuplicates()).put("dlq_missing", verdict.missingDead().size())
            .put("dlq_unexpected", verdict.unexpectedDead().size()).put("tasks_ever_failed", verdict.failedTasks())
            .put("longest_stall_ms", stalls.longestMs()).put("longest_stall_from_ms", stalls.longestFromMs());
        if (verdict.recoveredSeconds() != null) {
            root.put("right_after_traffic_ended_s", verdict.recoveredSeconds());
        }
        return mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root);
    }

    private static void sleepUntil(long start, long atMs) throws InterruptedException {
        long wait = atMs - millisSince(start);
        if (wait > 0) {
            Thread.sleep(wait);
        }
    }

    private static long millisSince(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }

    private static String clock(long nanos) {
        long seconds = nanos / 1_000_000_000L;
        return String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }
}
