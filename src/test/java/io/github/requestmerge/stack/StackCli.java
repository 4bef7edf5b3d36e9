package io.github.requestmerge.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * {@code bin/stack up | status | down}: the same real parts the integration tests use, started as
 * separate, detached processes for people (quickstart, benchmarks). Endpoints, PIDs and start-up
 * times go to {@code stack.properties} in the stack folder ({@code -Dstack.dir}, default
 * target/stack), where every part also keeps its data and log; {@code down} stops exactly the
 * PIDs recorded there.
 *
 * <p>With {@code -Dstack.elasticsearch.secure=true} ({@code bin/stack up --secure}) the stack's
 * Elasticsearch runs with security on: {@code elasticsearch.url} is HTTPS, and
 * {@code elasticsearch.ca}, {@code elasticsearch.username} and {@code elasticsearch.password} say
 * which CA to trust and how to log in (the {@code elastic} superuser).
 */
public final class StackCli {

    /** {@code true}: the stack's Elasticsearch is a secured node (HTTPS, users, API keys). */
    static final String SECURE_PROPERTY = "stack.elasticsearch.secure";

    private StackCli() {
    }

    public static void main(String[] args) throws IOException {
        String command = args.length == 0 ? "status" : args[0];
        Path state = StackParts.stackDir().resolve("stack.properties");
        switch (command) {
            case "up":
                up(state);
                break;
            case "status":
                System.exit(status(state) ? 0 : 1);
                break;
            case "down":
                down(state);
                break;
            default:
                System.err.println("usage: bin/stack up|status|down [--dir DIR]");
                System.exit(2);
        }
    }

    private static void up(Path state) throws IOException {
        if (Files.exists(state) && status(state)) {
            System.out.println("The stack is already up; bin/stack down first to restart it.");
            return;
        }
        System.setProperty("stack.owner.pid", "0");
        Properties out = new Properties();
        try {
            boolean secure = Boolean.getBoolean(SECURE_PROPERTY);
            ElasticsearchNode elasticsearch = secure ? ElasticsearchNode.startSecured() : ElasticsearchNode.start();
            Map<String, String> esEndpoints = new LinkedHashMap<>();
            esEndpoints.put("url", elasticsearch.url());
            if (secure) {
                esEndpoints.put("ca", elasticsearch.caCertificate().toString());
                esEndpoints.put("username", elasticsearch.elastic().username());
                esEndpoints.put("password", elasticsearch.elastic().password());
            }
            record(out, state, "elasticsearch", elasticsearch.pid(), elasticsearch.log(), elasticsearch.startup(),
                esEndpoints);
            KafkaBroker kafka = KafkaBroker.start();
            record(out, state, "kafka", kafka.pid(), kafka.log(), kafka.startup(),
                Map.of("bootstrap.servers", kafka.bootstrapServers()));
            ConnectWorker connect = ConnectWorker.start(kafka);
            record(out, state, "connect", connect.pid(), connect.log(), connect.startup(),
                Map.of("url", connect.restUrl(), "plugin.path", ConnectWorker.pluginPath().toString()));
            S3Server s3 = S3Server.start();
            Map<String, String> s3Endpoints = new LinkedHashMap<>();
            s3Endpoints.put("endpoint", s3.endpoint());
            s3Endpoints.put("access.key", s3.accessKey());
            s3Endpoints.put("secret.key", s3.secretKey());
            s3Endpoints.put("region", s3.region());
            s3Endpoints.put("bucket", s3.bucket());
            record(out, state, "s3", s3.pid(), s3.log(), s3.startup(), s3Endpoints);
        } catch (StackException e) {
            System.err.println("bin/stack up failed: " + e.getMessage());
            System.err.println("Stopping the parts already started.");
            down(state);
            System.exit(1);
        }
        System.out.println();
        System.out.println("The stack is up; state and logs in " + state.getParent());
        print(out);
    }

    private static void record(Properties out, Path state, String part, long pid, Path log,
                               java.time.Duration startup, Map<String, String> endpoints) throws IOException {
        out.setProperty(part + ".pid", String.valueOf(pid));
        out.setProperty(part + ".log", log.toString());
        out.setProperty(part + ".startup.ms", String.valueOf(startup.toMillis()));
        endpoints.forEach((key, value) -> out.setProperty(part + "." + key, value));
        try (var writer = Files.newBufferedWriter(state, StandardCharsets.UTF_8)) {
            out.store(writer, "bin/stack: parts, endpoints and PIDs");
        }
        System.out.printf("%-13s ready in %5.1f s  (pid %d)%n", part, startup.toMillis() / 1000.0, pid);
    }

    private static Properties load(Path state) throws IOException {
        Properties properties = new Properties();
        if (Files.exists(state)) {
            try (var reader = Files.newBufferedReader(state, StandardCharsets.UTF_8)) {
                properties.load(reader);
            }
        }
        return properties;
    }

    private static boolean status(Path state) throws IOException {
        Properties properties = load(state);
        if (properties.isEmpty()) {
            System.out.println("The stack is down (no " + state + ").");
            return false;
        }
        boolean allUp = true;
        for (String part : new String[] {"elasticsearch", "kafka", "connect", "s3"}) {
            String pid = properties.getProperty(part + ".pid");
            boolean alive = pid != null && process(Long.parseLong(pid)).isPresent();
            allUp &= alive;
            System.out.printf("%-13s %-7s pid %s%n", part, alive ? "up" : "DOWN", pid == null ? "-" : pid);
        }
        print(properties);
        return allUp;
    }

    private static void print(Properties properties) {
        properties.stringPropertyNames().stream().sorted()
            .filter(key -> !key.endsWith(".pid"))
            .forEach(key -> System.out.printf("  %-32s %s%n", key, properties.getProperty(key)));
    }

    private static void down(Path state) throws IOException {
        Properties properties = load(state);
        // Reverse start order: the worker before its broker.
        for (String part : new String[] {"s3", "connect", "kafka", "elasticsearch"}) {
            String pid = properties.getProperty(part + ".pid");
            if (pid == null) {
                continue;
            }
            Optional<ProcessHandle> process = process(Long.parseLong(pid));
            if (process.isEmpty()) {
                continue;
            }
            process.get().destroy();
            try {
                process.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.get().destroyForcibly();
            }
            System.out.println("stopped " + part + " (pid " + pid + ")");
        }
        Files.deleteIfExists(state);
    }

    /** @return the process, only if it is alive and is one of ours (never another program that reused the PID) */
    private static Optional<ProcessHandle> process(long pid) {
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(handle -> {
            String line = commandLine(pid);
            return line == null || line.contains("OwnedMain") || line.contains("LoopbackNode");
        });
    }

    /** @return the process's command line (from /proc, as ProcessHandle.Info often has none), or null when unknown */
    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc", String.valueOf(pid), "cmdline")), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
