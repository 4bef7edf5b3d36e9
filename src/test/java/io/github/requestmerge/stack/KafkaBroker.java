package io.github.requestmerge.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * A real Kafka broker (KRaft, broker and controller in one node) in its own JVM on 127.0.0.1.
 *
 * <p>The broker can {@link #stop()}, crash ({@link #kill()}), hang ({@link #freeze()}) and
 * {@link #restart()} in place: same listener and controller ports (so {@link #bootstrapServers()}
 * and existing clients stay valid), same data directory, same server.properties.
 *
 * <p>Thread-safety: start, stop and restart from one thread; {@link #bootstrapServers()} may be read
 * from any.
 */
public final class KafkaBroker extends StackPart {

    static final String PART = "kafka";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final AtomicInteger RUNS = new AtomicInteger();

    private final int port;
    private final int controllerPort;
    private final String bootstrapServers;

    private KafkaBroker(JvmPart jvm, int port, int controllerPort, Duration startup) {
        this.jvm = jvm;
        this.port = port;
        this.controllerPort = controllerPort;
        this.bootstrapServers = "127.0.0.1:" + port;
        this.startup = startup;
    }

    public static KafkaBroker start() {
        long begin = System.nanoTime();
        Path run = runDir("broker");
        int port = StackParts.freePort();
        int controller = StackParts.freePort();
        Path properties = run.resolve("server.properties");
        write(properties, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.bootstrap.servers=127.0.0.1:" + controller,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controller,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + run.resolve("data"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=2",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "transaction.state.log.num.partitions=2",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0", ""));
        List<String> options = jvmOptions(run);
        JvmPart format = JvmPart.start("Kafka broker (format)", PART, run.resolve("format.log"), options,
            "kafka.tools.StorageTool", "format", "-t", clusterId(), "-c", properties.toString(), "--standalone");
        awaitExit(format, "formatting its storage");
        JvmPart jvm = JvmPart.start("Kafka broker", PART, run.resolve("broker.log"), options, "kafka.Kafka",
            properties.toString());
        KafkaBroker broker = new KafkaBroker(jvm, port, controller, null);
        broker.awaitReady("starting");
        broker.startup = Duration.ofNanos(System.nanoTime() - begin);
        return broker;
    }

    /**
     * Starts the broker again with the same server.properties (ports, data directory, cluster id)
     * and waits until it serves clients again; a running broker is stopped gracefully first. After a
     * {@link #kill()} it recovers its logs from the data directory, as after a crash: records
     * acknowledged before the kill are there again (the process died, not the machine, so what it
     * wrote without an fsync is still in the page cache).
     */
    public void restart() {
        stop();
        if (!StackParts.portFree(controllerPort)) {
            throw new StackException(jvm.name() + ": cannot restart on 127.0.0.1:" + controllerPort
                + " (its controller port), another process holds that port; see " + jvm.log());
        }
        relaunch(port);
        awaitReady("restarting on " + bootstrapServers);
    }

    /**
     * Waits until the listener accepts connections and then until the broker answers a client's
     * describeCluster with itself in it, which it does only once it has registered with its
     * controller: listening alone is not yet serving.
     */
    private void awaitReady(String while_) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            jvm.checkAlive(while_);
            if (System.nanoTime() > deadline) {
                jvm.close();
                throw new StackException("Kafka broker: not listening on " + bootstrapServers + " after "
                    + START_TIMEOUT + " while " + while_ + "; see " + jvm.log());
            }
            sleep(100);
        }
        String lastError = "";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10_000))) {
            while (true) {
                jvm.checkAlive(while_);
                try {
                    if (!admin.describeCluster().nodes().get(10, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                    lastError = "no broker in the cluster yet";
                } catch (ExecutionException | TimeoutException e) {
                    lastError = e.toString();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StackException("Kafka broker: interrupted while " + while_, e);
                }
                if (System.nanoTime() > deadline) {
                    jvm.close();
                    throw new StackException("Kafka broker: listening on " + bootstrapServers + " but not serving after "
                        + START_TIMEOUT + " while " + while_ + " (" + lastError + "); see " + jvm.log());
                }
                sleep(200);
            }
        }
    }

    static Path runDir(String name) {
        try {
            // The sequence number keeps parts started within the same millisecond apart.
            return Files.createDirectories(StackParts.workDir(PART).resolve(name + "-" + ProcessHandle.current().pid()
                + "-" + System.currentTimeMillis() + "-" + RUNS.incrementAndGet()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> jvmOptions(Path run) {
        Path log4j = StackParts.projectDir().resolve("src/stack/kafka/config/log4j2.properties");
        return List.of("-Xms128m", "-Xmx512m", "-XX:+UseSerialGC", "-Dlog4j2.configurationFile=" + log4j,
            "-Dkafka.logs.dir=" + run);
    }

    private static String clusterId() {
        // A Kafka cluster id is a base64url-encoded UUID without padding. One that starts with '-' reads as
        // an option to the format tool (1 in 64 draws), so draw again, as Kafka's own Uuid.randomUuid() does.
        while (true) {
            UUID uuid = UUID.randomUUID();
            java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
            bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
            String id = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
            if (!id.startsWith("-")) {
                return id;
            }
        }
    }

    private static void awaitExit(JvmPart part, String what) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            Integer exit = part.exitCode();
            if (exit != null && exit == 0) {
                return;
            }
            part.checkAlive(what);
            if (System.nanoTime() > deadline) {
                part.close();
                throw new StackException("Kafka broker: " + what + " took over " + START_TIMEOUT + "; see " + part.log());
            }
            sleep(100);
        }
    }

    static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException("interrupted while starting the stack", e);
        }
    }

    static void write(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the bootstrap servers, e.g. {@code 127.0.0.1:39092} */
    public String bootstrapServers() {
        return bootstrapServers;
    }

}
