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
import java.util.UUID;

import io.github.requestmerge.stack.StackParts.StackException;

/** A real Kafka broker (KRaft, broker and controller in one node) in its own JVM on 127.0.0.1. */
public final class KafkaBroker extends StackPart {

    static final String PART = "kafka";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String bootstrapServers;

    private KafkaBroker(JvmPart jvm, String bootstrapServers, Duration startup) {
        this.jvm = jvm;
        this.bootstrapServers = bootstrapServers;
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
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts(port)) {
            jvm.checkAlive("starting");
            if (System.nanoTime() > deadline) {
                jvm.close();
                throw new StackException("Kafka broker: not listening on 127.0.0.1:" + port + " after " + START_TIMEOUT
                    + "; see " + jvm.log());
            }
            sleep(100);
        }
        return new KafkaBroker(jvm, "127.0.0.1:" + port, Duration.ofNanos(System.nanoTime() - begin));
    }

    static Path runDir(String name) {
        try {
            return Files.createDirectories(StackParts.workDir(PART)
                .resolve(name + "-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis()));
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
        // A Kafka cluster id is a base64url-encoded UUID without padding.
        UUID uuid = UUID.randomUUID();
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocate(16);
        bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
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
