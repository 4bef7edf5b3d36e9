package io.github.requestmerge.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import io.github.requestmerge.stack.StackParts.StackException;
import io.github.requestmerge.stack.discard.DiscardSinkPlugin;

/**
 * A real Kafka Connect worker in distributed mode, in its own JVM on 127.0.0.1, whose
 * {@code plugin.path} is the component this build packaged (so tests use the plugin as a user
 * installs it), plus a test-only directory holding the benchmark's no-op sink
 * ({@link DiscardSinkPlugin}), and which discovers plugins through their service files. Configure connectors
 * through {@link #restUrl()} with JSON only.
 *
 * <p>The worker can crash ({@link #kill()}), stop ({@link #stop()}), hang ({@link #freeze()}) and
 * {@link #restart()} in place: the new JVM reads the same worker.properties (same group, internal
 * topics, REST port and plugin.path), so connectors and clients carry on against the same
 * {@link #restUrl()}.
 *
 * <p>The shared worker ({@link #start}) is alone in its group and keeps Connect's default
 * {@code scheduled.rebalance.max.delay.ms} (five minutes): restarted in place, it is the group's
 * only member and takes every connector and task back at once, so the delay never applies to it.
 * {@link #startGroup} makes groups of several workers, where it does: a test of a worker that is
 * killed and not restarted sets it low.
 */
public final class ConnectWorker extends StackPart {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final int port;
    private final String restUrl;

    private ConnectWorker(JvmPart jvm, int port) {
        this.jvm = jvm;
        this.port = port;
        this.restUrl = "http://127.0.0.1:" + port;
    }

    /** Starts the shared kind of worker: alone in a Connect group of its own, with Connect's rebalance defaults. */
    public static ConnectWorker start(KafkaBroker broker) {
        long begin = System.nanoTime();
        int port = StackParts.freePort();
        ConnectWorker worker = launch(broker, String.valueOf(port), port, Map.of());
        worker.awaitHealthy("starting");
        worker.startup = Duration.ofNanos(System.nanoTime() - begin);
        return worker;
    }

    /**
     * Starts {@code workers} workers in one new Connect group of their own (its own group.id and
     * internal topics, so other workers on the broker are unaffected), each in its own JVM with its
     * own REST port, and waits until every one is ready. {@code workerProperties} are added to (or
     * override) each worker's properties, e.g. {@code scheduled.rebalance.max.delay.ms}: how long the
     * group waits for a departed worker to come back before giving its connectors and tasks to the
     * others (Connect's default is 300000, five minutes). The caller owns the workers: close them.
     */
    public static List<ConnectWorker> startGroup(KafkaBroker broker, int workers, Map<String, String> workerProperties) {
        long begin = System.nanoTime();
        List<ConnectWorker> group = new ArrayList<>();
        try {
            String name = "group-" + StackParts.freePort();
            // Launched together, then awaited: the JVMs start in parallel, and the group forms once.
            for (int i = 0; i < workers; i++) {
                group.add(launch(broker, name, StackParts.freePort(), workerProperties));
            }
            for (ConnectWorker worker : group) {
                worker.awaitHealthy("starting in group " + name);
                worker.startup = Duration.ofNanos(System.nanoTime() - begin);
            }
            return group;
        } catch (RuntimeException e) {
            group.forEach(ConnectWorker::close);
            throw e;
        }
    }

    /** Launches a worker of the group {@code request-merge-connect-<group>}, whose internal topics end in {@code -<group>}. */
    private static ConnectWorker launch(KafkaBroker broker, String group, int port, Map<String, String> extra) {
        Path run = KafkaBroker.runDir("worker");
        Path properties = run.resolve("worker.properties");
        Map<String, String> props = new LinkedHashMap<>();
        props.put("bootstrap.servers", broker.bootstrapServers());
        props.put("group.id", "request-merge-connect-" + group);
        props.put("key.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
        props.put("key.converter.schemas.enable", "false");
        props.put("value.converter.schemas.enable", "false");
        props.put("offset.storage.topic", "connect-offsets-" + group);
        props.put("offset.storage.replication.factor", "1");
        props.put("offset.storage.partitions", "1");
        props.put("config.storage.topic", "connect-configs-" + group);
        props.put("config.storage.replication.factor", "1");
        props.put("status.storage.topic", "connect-status-" + group);
        props.put("status.storage.replication.factor", "1");
        props.put("status.storage.partitions", "1");
        // Frequent commits keep tests short; benchmarks may set Connect's default (60000) instead.
        props.put("offset.flush.interval.ms", String.valueOf(Long.getLong("stack.connect.offset.flush.interval.ms",
            1_000L)));
        props.put("listeners", "http://127.0.0.1:" + port);
        // The shipped component, and beside it the benchmark's no-op sink (its read ceiling), test-only.
        props.put("plugin.path", pluginPath() + "," + DiscardSinkPlugin.install(run.resolve("test-plugins")));
        props.put("plugin.discovery", "service_load");
        // As a production worker would: secrets in connector configs may be ${file:PATH:KEY} references.
        props.put("config.providers", "file");
        props.put("config.providers.file.class", "org.apache.kafka.common.config.provider.FileConfigProvider");
        props.putAll(extra);
        StringBuilder text = new StringBuilder();
        props.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        KafkaBroker.write(properties, text.toString());
        JvmPart jvm = JvmPart.start("Connect worker", KafkaBroker.PART, run.resolve("worker.log"),
            jvmOptions(run), "org.apache.kafka.connect.cli.ConnectDistributed", properties.toString());
        return new ConnectWorker(jvm, port);
    }

    /** {@code -Dstack.connect.jvm}: {@value #TEST_JVM} (the default) or {@value #KAFKA_SCRIPTS_JVM}. */
    public static final String JVM_PROPERTY = "stack.connect.jvm";
    public static final String TEST_JVM = "test";
    public static final String KAFKA_SCRIPTS_JVM = "kafka-scripts";

    /**
     * The worker's JVM options. {@value #TEST_JVM}: the broker's small test heap (512 MiB, SerialGC), so a
     * test stack stays light. {@value #KAFKA_SCRIPTS_JVM}: what Kafka's own {@code bin/connect-distributed.sh}
     * gives a worker ({@code KAFKA_HEAP_OPTS="-Xms256M -Xmx2G"}) with {@code kafka-run-class.sh}'s
     * {@code KAFKA_JVM_PERFORMANCE_OPTS} (G1 with 20 ms pause goal), which is how users run it; benchmarks
     * use it, so heap and GC figures mean what users see.
     */
    static List<String> jvmOptions(Path run) {
        String jvm = System.getProperty(JVM_PROPERTY, TEST_JVM);
        if (jvm.equals(TEST_JVM)) {
            return KafkaBroker.jvmOptions(run);
        }
        if (!jvm.equals(KAFKA_SCRIPTS_JVM)) {
            throw new StackParts.StackException("-D" + JVM_PROPERTY + "=" + jvm + ": expected " + TEST_JVM + " or "
                + KAFKA_SCRIPTS_JVM);
        }
        List<String> options = new ArrayList<>(List.of("-Xms256M", "-Xmx2G", "-server", "-XX:+UseG1GC",
            "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35", "-XX:+ExplicitGCInvokesConcurrent",
            "-Djava.awt.headless=true"));
        // The logging settings of the test JVM, after its heap and GC options.
        KafkaBroker.jvmOptions(run).stream().filter(option -> option.startsWith("-D")).forEach(options::add);
        return options;
    }

    /**
     * Starts the worker again with the same worker.properties and waits until {@code /health} is
     * ready; a running worker is stopped gracefully first. After a {@link #kill()} this takes about a
     * session timeout (10 s) longer, while the worker group waits for the dead member; sink tasks
     * then get their partitions only once their old consumers' session timeout passed (45 s by
     * default; a connector may lower it with {@code consumer.override.session.timeout.ms}).
     */
    public void restart() {
        relaunch(port);
        awaitHealthy("restarting on 127.0.0.1:" + port);
    }

    private void awaitHealthy(String while_) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        // GET /connectors answers before the worker joined its group; /health only once it is ready.
        while (!healthy(http, restUrl)) {
            jvm.checkAlive(while_);
            if (System.nanoTime() > deadline) {
                jvm.close();
                throw new StackException("Connect worker: /health not ready after " + START_TIMEOUT + " while " + while_
                    + "; see " + jvm.log());
            }
            KafkaBroker.sleep(200);
        }
    }

    /** @return the directory holding the packaged component (built by {@code mvn package}) */
    static Path pluginPath() {
        Path components = StackParts.projectDir().resolve("target/components");
        try (Stream<Path> entries = Files.exists(components) ? Files.list(components) : Stream.empty()) {
            return entries.filter(Files::isDirectory).findFirst().orElseThrow(() -> new StackException(
                "Connect worker: no packaged plugin in " + components + "; run mvn package first"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean healthy(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url + "/health")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** @return the REST API, e.g. {@code http://127.0.0.1:38083} */
    public String restUrl() {
        return restUrl;
    }

    /** @return how the worker names itself in connector and task status ({@code worker_id}), e.g. {@code 127.0.0.1:38083} */
    public String workerId() {
        return "127.0.0.1:" + port;
    }

}
