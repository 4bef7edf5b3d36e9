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
import java.util.stream.Stream;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * A real Kafka Connect worker in distributed mode, in its own JVM on 127.0.0.1, whose
 * {@code plugin.path} is the component this build packaged (so tests use the plugin as a user
 * installs it) and which discovers plugins through their service files. Configure connectors
 * through {@link #restUrl()} with JSON only.
 *
 * <p>The worker can crash ({@link #kill()}), stop ({@link #stop()}) and {@link #restart()} in place:
 * the new JVM reads the same worker.properties (same group, internal topics, REST port and
 * plugin.path), so connectors and clients carry on against the same {@link #restUrl()}.
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

    public static ConnectWorker start(KafkaBroker broker) {
        long begin = System.nanoTime();
        Path run = KafkaBroker.runDir("worker");
        int port = StackParts.freePort();
        Path properties = run.resolve("worker.properties");
        KafkaBroker.write(properties, String.join("\n",
            "bootstrap.servers=" + broker.bootstrapServers(),
            "group.id=request-merge-connect-" + port,
            "key.converter=org.apache.kafka.connect.json.JsonConverter",
            "value.converter=org.apache.kafka.connect.json.JsonConverter",
            "key.converter.schemas.enable=false",
            "value.converter.schemas.enable=false",
            "offset.storage.topic=connect-offsets-" + port,
            "offset.storage.replication.factor=1",
            "offset.storage.partitions=1",
            "config.storage.topic=connect-configs-" + port,
            "config.storage.replication.factor=1",
            "status.storage.topic=connect-status-" + port,
            "status.storage.replication.factor=1",
            "status.storage.partitions=1",
            // Frequent commits keep tests short; benchmarks may set Connect's default (60000) instead.
            "offset.flush.interval.ms=" + Long.getLong("stack.connect.offset.flush.interval.ms", 1_000L),
            "listeners=http://127.0.0.1:" + port,
            "plugin.path=" + pluginPath(),
            "plugin.discovery=service_load", ""));
        JvmPart jvm = JvmPart.start("Connect worker", KafkaBroker.PART, run.resolve("worker.log"),
            KafkaBroker.jvmOptions(run), "org.apache.kafka.connect.cli.ConnectDistributed", properties.toString());
        ConnectWorker worker = new ConnectWorker(jvm, port);
        worker.awaitHealthy("starting");
        worker.startup = Duration.ofNanos(System.nanoTime() - begin);
        return worker;
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

}
