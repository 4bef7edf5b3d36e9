package io.github.requestmerge.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.net.ssl.SSLContext;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * A real Elasticsearch node in its own JVM on 127.0.0.1 with a free port and data in a fresh
 * folder under target/stack. The node watches the PID of the JVM that started it and exits when
 * that JVM dies, so no node outlives a test run, even a killed one.
 *
 * <p>The node can {@link #stop()}, crash ({@link #kill()}), hang ({@link #freeze()}, {@link #thaw()})
 * and {@link #restart()} in place: same port (so {@link #url()} and existing clients stay valid),
 * same data path, same settings. {@link #start(Map)} starts a node of its own with extra node
 * settings (a tiny write thread pool, for example); the shared node of {@link Stack} has none.
 *
 * <p>{@link #startSecured()} starts a node with security on, as a production cluster runs: HTTPS
 * only ({@link #url()} is {@code https://127.0.0.1:PORT}) with a certificate from a CA made for the
 * node ({@link #caCertificate()}, trusted by {@link #sslContext()} and {@link #httpClient()}), every
 * request authenticated, API keys, and the users {@link #elastic()} (the reserved superuser),
 * {@link #admin()} (a file-realm superuser) and {@link #noRoles()} (a file-realm user without any
 * role). Restarts keep all of it: same port, certificates and users; API keys, native users and
 * roles live in the {@code .security} index and survive as any index does.
 *
 * <p>Thread-safety: start, stop and restart from one thread; {@link #url()} may be read from any.
 */
public final class ElasticsearchNode extends StackPart {

    /** Which server version to run: {@code 8} (8.19, the default) or {@code 9} (9.5, needs Java 21+). */
    static final String VERSION_PROPERTY = "stack.elasticsearch";
    /** A JDK 21+ for the 9.x node; by default the newest found under /usr/lib/jvm. */
    static final String JAVA21_PROPERTY = "stack.java21.home";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private final String part;
    private final Path home;
    private final Path log;
    /** Null for a node without security. */
    private final NodeSecurity security;
    private volatile String url;
    private int port;

    private ElasticsearchNode(String part, Path home, Path log, NodeSecurity security) {
        this.part = part;
        this.home = home;
        this.log = log;
        this.security = security;
    }

    /** Starts a node and waits until its cluster health is at least yellow. */
    public static ElasticsearchNode start() {
        return start(Map.of());
    }

    /**
     * Starts a node with extra node settings, e.g. {@code Map.of("thread_pool.write.size", "1",
     * "thread_pool.write.queue_size", "1")}, and waits until its cluster health is at least yellow.
     * The settings go to the node's {@code config/elasticsearch.yml}, which Elasticsearch reads as it
     * always does (8.x and 9.x alike), so they also hold after a {@link #restart()}. The loopback
     * settings the launcher sets itself (network, ports, paths, single-node discovery) cannot be
     * changed this way; a setting the node does not know makes it refuse to start, and this fails
     * with its log. The caller owns the node: {@link #close()} it.
     */
    public static ElasticsearchNode start(Map<String, String> settings) {
        return start(settings, false);
    }

    /**
     * Starts a node with security on (see the class comment) and waits until its cluster health is at
     * least yellow, asked over HTTPS as {@link #admin()}, and {@link #elastic()} authenticates (so the
     * {@code .security} index, where API keys live too, is readable). {@link #restart()} waits for the
     * same. The caller owns the node: {@link #close()} it.
     */
    public static ElasticsearchNode startSecured() {
        return start(Map.of(), true);
    }

    /**
     * Starts a node with extra node settings (as {@link #start(Map)}), with security on when
     * {@code secured} (as {@link #startSecured()}). The caller owns the node: {@link #close()} it.
     */
    public static ElasticsearchNode start(Map<String, String> settings, boolean secured) {
        long begin = System.nanoTime();
        String major = System.getProperty(VERSION_PROPERTY, "8").trim();
        if (!major.equals("8") && !major.equals("9")) {
            throw new StackException("Elasticsearch: " + VERSION_PROPERTY + " must be 8 or 9, not '" + major + "'");
        }
        String part = "elasticsearch-" + major;
        Path work = StackParts.workDir(part);
        Path home = work.resolve("node-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis());
        Path log = work.resolve(home.getFileName() + ".log");
        NodeSecurity security = secured ? NodeSecurity.prepare(home.resolve("config"),
            work.resolve(home.getFileName() + ".keytool.log")) : null;
        ElasticsearchNode node = new ElasticsearchNode(part, home, log, security);
        node.writeSettings(settings);
        Path javaHome = major.equals("8") ? Paths.get(System.getProperty("java.home")) : java21Home();
        node.launch(javaHome, major.equals("9"));
        node.startup = Duration.ofNanos(System.nanoTime() - begin);
        return node;
    }

    /** @return a JDK of version 21 or newer, for Elasticsearch 9.x */
    static Path java21Home() {
        String configured = System.getProperty(JAVA21_PROPERTY, System.getenv().getOrDefault("JAVA21_HOME", ""));
        if (!configured.isBlank()) {
            Path home = Paths.get(configured.trim());
            if (!Files.isExecutable(home.resolve("bin/java"))) {
                throw new StackException("Elasticsearch 9: " + JAVA21_PROPERTY + "=" + home + " has no bin/java");
            }
            return home;
        }
        if (Runtime.version().feature() >= 21) {
            return Paths.get(System.getProperty("java.home"));
        }
        try (java.util.stream.Stream<Path> jdks = Files.list(Paths.get("/usr/lib/jvm"))) {
            return jdks.filter(jdk -> Files.isExecutable(jdk.resolve("bin/javac")) && featureVersion(jdk) >= 21)
                .max(java.util.Comparator.comparingInt(ElasticsearchNode::featureVersion))
                .orElseThrow(() -> new StackException("Elasticsearch 9 needs a JDK 21 or newer and none was found in "
                    + "/usr/lib/jvm; install one or set -D" + JAVA21_PROPERTY + "=/path/to/jdk"));
        } catch (IOException e) {
            throw new StackException("Elasticsearch 9 needs a JDK 21 or newer; set -D" + JAVA21_PROPERTY
                + "=/path/to/jdk (" + e.getMessage() + ")", e);
        }
    }

    private static int featureVersion(Path jdk) {
        try {
            for (String line : Files.readAllLines(jdk.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String version = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(version.split("[.+-]")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return 0;
        }
        return 0;
    }

    private void writeSettings(Map<String, String> settings) {
        if (settings.isEmpty()) {
            return;
        }
        StringBuilder yaml = new StringBuilder();
        for (Map.Entry<String, String> setting : new TreeMap<>(settings).entrySet()) {
            yaml.append(setting.getKey()).append(": \"").append(setting.getValue().replace("\\", "\\\\")
                .replace("\"", "\\\"")).append("\"\n");
        }
        try {
            Files.writeString(Files.createDirectories(home.resolve("config")).resolve("elasticsearch.yml"), yaml,
                StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StackException("Elasticsearch: cannot write the node settings to " + home.resolve("config")
                + " (" + e.getMessage() + ")", e);
        }
    }

    private void launch(Path javaHome, boolean modernJdk) {
        try {
            Path natives = Files.createDirectories(home.resolveSibling("native"));
            Path zstd = natives.resolve("libzstd.so");
            Path system = findZstd();
            if (system != null && !Files.exists(zstd, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(zstd, system);
            }
            List<String> options = new ArrayList<>(List.of("-Xms512m", "-Xmx512m", "-XX:+UseSerialGC",
                "-Des.nativelibs.path=" + natives, "-Dorg.elasticsearch.nativeaccess.enableVectorLibrary=false"));
            if (modernJdk) {
                options.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--add-modules=jdk.incubator.vector"));
            }
            // The node picks a free HTTP port at the first start (and writes it to logs/http.ports);
            // restart() passes that port explicitly.
            jvm = JvmPart.start("Elasticsearch", part, log, javaHome, options, "org.elasticsearch.node.LoopbackNode",
                home.toString());
        } catch (IOException e) {
            throw new StackException("Elasticsearch: cannot prepare the node (" + e.getMessage() + "); log " + log, e);
        }
        url = awaitReady("starting");
        port = URI.create(url).getPort();
    }

    /**
     * Starts the node again on the same port with the same data path and settings, and waits until
     * its cluster health is at least yellow (every primary shard recovered); a running node is
     * stopped gracefully first (a frozen one is thawed for that). Documents indexed before a stop, or acknowledged before a kill, are
     * there again.
     */
    public void restart() {
        // The node lock on the data path is released when the old process is gone: stop() waits for that.
        stop();
        Path ports = portsFile();
        try {
            // A stale file from the last run would make awaitReady() think the new node already listens.
            Files.deleteIfExists(ports);
        } catch (IOException e) {
            throw new StackException("Elasticsearch: cannot delete " + ports + " (" + e.getMessage() + ")", e);
        }
        relaunch(port, String.valueOf(port));
        String bound = awaitReady("restarting on 127.0.0.1:" + port);
        if (!bound.equals(url)) {
            close();
            throw new StackException("Elasticsearch: restarted on " + bound + " instead of " + url + "; see " + log);
        }
    }

    private Path portsFile() {
        return home.resolve("logs/http.ports");
    }

    /** Waits for the node's HTTP port file, then for cluster health yellow; returns the node's URL. */
    private String awaitReady(String while_) {
        Path ports = portsFile();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (!Files.exists(ports) || Files.size(ports) == 0) {
                jvm.checkAlive(while_);
                if (System.nanoTime() > deadline) {
                    close();
                    throw new StackException("Elasticsearch: no HTTP port after " + START_TIMEOUT + " while " + while_
                        + "; see " + log);
                }
                Thread.sleep(100);
            }
            String address = Files.readAllLines(ports, StandardCharsets.UTF_8).get(0).trim();
            String bound = (security == null ? "http://" : "https://") + address;
            HttpClient http = security == null ? HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                : httpClient();
            HttpRequest.Builder request = HttpRequest.newBuilder(
                URI.create(bound + "/_cluster/health?wait_for_status=yellow&timeout=60s"));
            if (security != null) {
                request.header("Authorization", admin().basicAuth());
            }
            HttpResponse<String> health = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            // Security answers 401 for a moment while it starts, even for a file-realm user: ask again.
            while (health.statusCode() == 401 && System.nanoTime() < deadline) {
                jvm.checkAlive(while_);
                Thread.sleep(200);
                health = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            }
            if (health.statusCode() != 200) {
                throw new StackException("Elasticsearch: cluster health answered " + health.statusCode() + " "
                    + health.body() + " while " + while_ + "; see " + log);
            }
            if (security != null) {
                awaitAuthenticates(http, bound, elastic(), deadline, while_);
            }
            return bound;
        } catch (IOException e) {
            close();
            throw new StackException("Elasticsearch: the node did not become ready while " + while_ + " ("
                + e.getMessage() + "); see " + log, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StackException("Elasticsearch: interrupted while " + while_, e);
        }
    }

    /**
     * Waits until {@code user} authenticates. The reserved {@code elastic} user and API keys live in the
     * {@code .security} index: for a second or two after the health turned yellow they are refused with
     * 401, as a wrong password is, although the file-realm user is already accepted.
     */
    private void awaitAuthenticates(HttpClient http, String bound, Credentials user, long deadline, String while_)
        throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(bound + "/_security/_authenticate"))
            .header("Authorization", user.basicAuth()).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        while (response.statusCode() == 401 && System.nanoTime() < deadline) {
            jvm.checkAlive(while_);
            Thread.sleep(100);
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        if (response.statusCode() != 200) {
            close();
            throw new StackException("Elasticsearch: user " + user.username() + " is still refused (" + response.statusCode()
                + " " + response.body() + ") while " + while_ + "; see " + log);
        }
    }

    private static Path findZstd() {
        for (String dir : List.of("/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/usr/lib")) {
            Path candidate = Paths.get(dir, "libzstd.so.1");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** @return the HTTP endpoint, e.g. {@code http://127.0.0.1:40123}, or {@code https://...} for a secured node */
    public String url() {
        return url;
    }

    /** @return whether this node runs with security on (see {@link #startSecured()}) */
    public boolean secured() {
        return security != null;
    }

    /** @return the PEM file of the CA that signed a secured node's HTTPS certificate (the only certificate to trust) */
    public Path caCertificate() {
        return security().caCertificate();
    }

    /** @return TLS trusting only the node's CA, for any HTTPS client (the JDK's, Apache's, the Elasticsearch client) */
    public SSLContext sslContext() {
        return security().sslContext();
    }

    /** @return a new JDK HTTP client trusting only the node's CA (it verifies the host name too) */
    public HttpClient httpClient() {
        return HttpClient.newBuilder().sslContext(security().sslContext()).connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * @return the reserved superuser {@code elastic} and its bootstrap password. While a node starts it is
     *     refused (401) for a moment after the file-realm {@link #admin()} is accepted, until the node reads
     *     the {@code .security} index; start and restart wait for that.
     */
    public Credentials elastic() {
        return security().elastic();
    }

    /** @return a superuser of the file realm (users kept in the node's config folder, not in an index) */
    public Credentials admin() {
        return security().admin();
    }

    /** @return a file-realm user without any role: authenticated, but allowed nothing (403) */
    public Credentials noRoles() {
        return security().noRoles();
    }

    private NodeSecurity security() {
        if (security == null) {
            throw new IllegalStateException("Elasticsearch: this node runs without security; start one with "
                + "ElasticsearchNode.startSecured()");
        }
        return security;
    }

    /** A user name and password of a secured node. */
    public record Credentials(String username, String password) {
        /** @return the value of an {@code Authorization} header for HTTP basic authentication */
        public String basicAuth() {
            return "Basic " + java.util.Base64.getEncoder().encodeToString((username + ":" + password)
                .getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String toString() {
            return username + ":****";
        }
    }

    /** @return which part runs: {@code elasticsearch-8} or {@code elasticsearch-9} */
    public String part() {
        return part;
    }

}
