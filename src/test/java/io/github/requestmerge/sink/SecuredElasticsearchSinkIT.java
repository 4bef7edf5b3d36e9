package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.stack.ElasticsearchNode;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.FaultCheck;
import io.github.requestmerge.testing.JvmAttach;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SecurityAdmin;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.StatusWatcher;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;

/**
 * The merge against a real Elasticsearch node with security on (HTTPS with the node's own CA, no
 * request without credentials), through a real Connect worker, with the narrow rights a security team
 * would grant: an API key (read from a file by a {@code ${file:...}} config provider, as the shipped
 * secured example does) and a native user, each with exactly the role {@link Privileges#sink} names.
 * Also: every mistake a user can make with the connection is a validation error naming the key and the
 * URL; a key revoked mid-stream fails the task clearly and a new key given over REST completes the merge
 * exactly; and no secret shows up in the worker's log, the status API, the dead letter queue or JMX.
 */
@ExtendWith(Stack.class)
class SecuredElasticsearchSinkIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String PLUGIN = RequestMergeSinkConnector.class.getName();
    private static final ObjectMapper JSON = new ObjectMapper();

    private ElasticsearchNode es;
    private SecurityAdmin admin;
    private Documents documents;
    private ConnectRest connect;
    private Topics topics;
    private String name;
    private StatusWatcher watcher;
    /** Every password and key this test handed out: none may leak. */
    private final Set<String> secrets = new LinkedHashSet<>();

    @BeforeEach
    void setUp(TestInfo test) {
        es = Stack.securedElasticsearch();
        documents = new Documents(es.url(), es.sslContext(), es.admin().basicAuth());
        admin = new SecurityAdmin(documents);
        connect = new ConnectRest(Stack.connect().restUrl());
        topics = new Topics(Stack.kafka().bootstrapServers());
        name = "secured-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        if (watcher != null) {
            watcher.close();
        }
        connect.delete(name);
    }

    /** The sink's config for the secured node, without credentials; bad records go to {@code <name>-dlq}. */
    private Map<String, String> securedConfig() {
        Map<String, String> config = SinkConfigs.merging(name, name);
        config.put("connection.urls", es.url());
        config.put("connection.ssl.ca.path", es.caCertificate().toString());
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", name + "-dlq");
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        return config;
    }

    /** @return the role the sink needs with {@code config}, as the README tells users to grant it */
    private static JsonNode leastPrivilege(Map<String, String> config) {
        return new RequestMergeSinkConfig(config).requiredPrivileges(List.of(config.get("topics"))).toRoleDescriptor();
    }

    @Test
    void mergeIsExactOverALeastPrivilegeApiKeyReadFromAFileConfigProvider() throws Exception {
        topics.create(name, 2);
        Map<String, String> config = securedConfig();
        SecurityAdmin.ApiKey key = admin.apiKey(name, leastPrivilege(config));
        secrets.addAll(List.of(key.encoded(), key.secret()));
        // As config/request-merge-sink-secured.json has it, with the file where this test keeps it.
        String reference = shippedSecuredExample().get("connection.api.key");
        Path secretsFile = Files.createDirectories(Paths.get(System.getProperty("project.basedir", "."))
            .resolve("target/secured-it")).resolve(name + ".properties");
        Files.writeString(secretsFile, "api.key=" + key.encoded() + "\n", StandardCharsets.UTF_8);
        config.put("connection.api.key", reference.replaceFirst("file:[^:}]+:", "file:" + secretsFile + ":"));

        assertEquals(Map.of(), validationErrors(config));
        runAndVerify(config, "secured-api-key");
        assertNoSecretLeaks();
    }

    @Test
    void mergeIsExactOverBasicAuthenticationWithTheLeastPrivilegeRole() throws Exception {
        topics.create(name, 2);
        Map<String, String> config = securedConfig();
        String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        admin.user(name, password, leastPrivilege(config));
        secrets.add(password);
        config.put("connection.username", name);
        config.put("connection.password", password);

        assertEquals(Map.of(), validationErrors(config));
        runAndVerify(config, "secured-basic-auth");
        assertNoSecretLeaks();
    }

    private void runAndVerify(Map<String, String> config, String what) {
        config.put("tasks.max", "2");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);
        RequestTimeline timeline = new RequestTimeline(300, 6, 2, 47, 1);
        List<RecordMetadata> produced = topics.produce(name, timeline.events());
        new FaultCheck(what, timeline, documents, name, watcher).verify(TIMEOUT, topics, name, name + "-dlq", produced);
    }

    @Test
    void securedNodeKilledMidStreamLosesNothingAndFailsNoTask() throws Exception {
        topics.create(name, 2);
        Map<String, String> config = securedConfig();
        SecurityAdmin.ApiKey key = admin.apiKey(name, leastPrivilege(config));
        secrets.addAll(List.of(key.encoded(), key.secret()));
        config.put("connection.api.key", key.encoded());
        config.put("tasks.max", "2");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);

        RequestTimeline timeline = new RequestTimeline(400, 6, 2, 59);
        List<RequestTimeline.Event> events = timeline.events();
        int half = events.size() / 2;
        topics.produce(name, events.subList(0, half));
        RequestMergeSinkIT.await(() -> documents.count(name) > 50 ? Boolean.TRUE : null);
        // Right after a restart the node may refuse the key for a moment (401) while .security recovers; the
        // task gives refused credentials Retry.CREDENTIALS_GRACE (RetryTest), so it rides through either way.
        es.kill();
        topics.produce(name, events.subList(half, events.size()));
        es.restart();
        FaultCheck check = new FaultCheck("secured-elasticsearch-sigkill", timeline, documents, name, watcher);
        check.faultEnded("restart");
        check.verify(TIMEOUT, topics, name, name + "-dlq", List.of());
        assertNoSecretLeaks();
    }

    @Test
    void eachConnectionMistakeIsAValidationErrorNamingTheKeyAndTheUrl() throws IOException {
        Map<String, String> base = securedConfig();
        JsonNode role = leastPrivilege(base);
        SecurityAdmin.ApiKey valid = admin.apiKey(name + "-valid", role);
        secrets.addAll(List.of(valid.encoded(), valid.secret()));
        Map<String, String> withKey = with(base, "connection.api.key", valid.encoded());
        assertEquals(Map.of(), validationErrors(withKey));
        String url = es.url();

        String password = "pw-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        admin.user(name, password, role);
        secrets.add(password);
        Map<String, String> wrongPassword = with(with(base, "connection.username", name), "connection.password", "not-" + password);
        expectError(wrongPassword, "connection.username", "authentication failed at " + url,
            "were refused (wrong user name or password)");

        expectError(with(base, "connection.api.key", "bm90LWEta2V5OnJlYWxseS1ub3Q="), "connection.api.key",
            "authentication failed at " + url, "the API key (connection.api.key) is not valid");

        SecurityAdmin.ApiKey revoked = admin.apiKey(name + "-revoked", role);
        secrets.addAll(List.of(revoked.encoded(), revoked.secret()));
        admin.invalidate(revoked);
        expectError(with(base, "connection.api.key", revoked.encoded()), "connection.api.key",
            "authentication failed at " + url, "is not valid (wrong, expired or invalidated)");

        Map<String, List<String>> withoutRead = new LinkedHashMap<>(new RequestMergeSinkConfig(base)
            .requiredPrivileges(List.of(name)).indices());
        withoutRead.replaceAll((index, privileges) -> privileges.stream().filter(p -> !p.equals("read")).toList());
        SecurityAdmin.ApiKey cannotRead = admin.apiKey(name + "-no-read", new Privileges(
            List.of("monitor", "manage_index_templates"), withoutRead).toRoleDescriptor());
        secrets.addAll(List.of(cannotRead.encoded(), cannotRead.secret()));
        expectError(with(base, "connection.api.key", cannotRead.encoded()), "connection.api.key", url,
            "lacks the index privilege read on index " + name);

        SecurityAdmin.ApiKey noMonitor = admin.apiKey(name + "-no-monitor", new Privileges(
            List.of("manage_index_templates"), new RequestMergeSinkConfig(base).requiredPrivileges(List.of(name))
            .indices()).toRoleDescriptor());
        secrets.addAll(List.of(noMonitor.encoded(), noMonitor.secret()));
        expectError(with(base, "connection.api.key", noMonitor.encoded()), "connection.api.key", url,
            "lacks the cluster privilege monitor");

        Map<String, String> jvmTrust = with(withKey, "connection.ssl.ca.path", "");
        expectError(jvmTrust, "connection.ssl.ca.path", "TLS with " + url, "not signed by a trusted CA");

        // The node listens on 127.0.0.1 and its certificate names 127.0.0.1 and localhost; the machine's own
        // host name usually resolves to 127.0.0.1 as well, and the certificate does not cover it.
        String otherName = otherNameOfLoopback();
        if (otherName != null) {
            String uncovered = url.replace("127.0.0.1", otherName);
            expectError(with(withKey, "connection.urls", uncovered), "connection.urls", "TLS with " + uncovered,
                "does not cover the host name");
        } else {
            System.out.println("NOTE: no name other than localhost resolves to 127.0.0.1 here; the host name case is "
                + "covered by PrivilegesTest only");
        }

        String plain = Stack.elasticsearch().url().replace("http://", "https://");
        expectError(with(withKey, "connection.urls", plain), "connection.urls", "TLS with " + plain,
            "speaks plain http, not https");

        String httpToTls = url.replace("https://", "http://");
        expectError(with(withKey, "connection.urls", httpToTls), "connection.urls", "TLS settings are given "
            + "(connection.ssl.ca.path) but the URLs are not https: " + httpToTls);
        expectError(with(with(withKey, "connection.urls", httpToTls), "connection.ssl.ca.path", ""), "connection.urls",
            "Elasticsearch at " + httpToTls, "it speaks https there");
        assertNoSecretLeaks();
    }

    @Test
    void keyRevokedMidStreamFailsTheTaskClearlyAndANewKeyOverRestCompletesTheMergeExactly() throws Exception {
        topics.create(name, 1);
        Map<String, String> config = securedConfig();
        JsonNode role = leastPrivilege(config);
        SecurityAdmin.ApiKey first = admin.apiKey(name + "-1", role);
        secrets.addAll(List.of(first.encoded(), first.secret()));
        config.put("connection.api.key", first.encoded());
        connect.putConfig(name, config);
        connect.awaitRunning(name, 1, TIMEOUT);

        RequestTimeline timeline = new RequestTimeline(300, 8, 1, 53);
        List<RequestTimeline.Event> events = timeline.events();
        int half = events.size() / 2;
        topics.produce(name, events.subList(0, half));
        RequestMergeSinkIT.await(() -> documents.count(name) > 50 ? Boolean.TRUE : null);
        admin.invalidate(first);
        topics.produce(name, events.subList(half, events.size()));

        // Refused credentials get Retry.CREDENTIALS_GRACE (30 s), then the task fails saying what to fix.
        String trace = awaitFailedTaskTrace();
        assertTrue(trace.contains("Elasticsearch at " + es.url() + " (API key authentication"), trace);
        assertTrue(trace.contains("HTTP 401"), trace);
        assertTrue(trace.contains("check the credentials (connection.username and connection.password, or "
            + "connection.api.key)"), trace);
        assertFalse(timeline.mismatches(documents.all(name)).isEmpty(), "events after the revocation are not written yet");

        SecurityAdmin.ApiKey second = admin.apiKey(name + "-2", role);
        secrets.addAll(List.of(second.encoded(), second.secret()));
        config.put("connection.api.key", second.encoded());
        connect.putConfig(name, config);
        // The new config restarts the failed task with the new key; watch it from then on.
        awaitTaskRunning();
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        new FaultCheck("api-key-revoked-then-replaced", timeline, documents, name, watcher)
            .verify(TIMEOUT, topics, name, name + "-dlq", List.of());
        assertNoSecretLeaks();
    }

    private void awaitTaskRunning() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            JsonNode tasks = connect.status(name).path("tasks");
            if (tasks.size() == 1 && "RUNNING".equals(tasks.get(0).path("state").asText())) {
                return;
            }
            Waits.sleep(500);
        }
        throw new AssertionError("the task did not run again with the new key: " + connect.status(name));
    }

    private String awaitFailedTaskTrace() {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            for (JsonNode task : connect.status(name).path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    return task.path("trace").asText();
                }
            }
            Waits.sleep(500);
        }
        throw new AssertionError("the task did not fail after its API key was invalidated: " + connect.status(name));
    }

    /** @return a host name of this machine that resolves to 127.0.0.1 and is not localhost, or null */
    private static String otherNameOfLoopback() {
        try {
            String host = java.net.InetAddress.getLocalHost().getHostName();
            boolean loopback = java.net.InetAddress.getByName(host).getHostAddress().equals("127.0.0.1");
            return loopback && !host.equalsIgnoreCase("localhost") && host.matches("[A-Za-z][A-Za-z0-9.-]*") ? host : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, String> with(Map<String, String> config, String key, String value) {
        Map<String, String> changed = new LinkedHashMap<>(config);
        changed.put(key, value);
        return changed;
    }

    private void expectError(Map<String, String> config, String key, String... parts) {
        long began = System.nanoTime();
        Map<String, List<String>> errors = validationErrors(config);
        System.out.printf("validation in %.1f s: %s%n", (System.nanoTime() - began) / 1e9, errors);
        assertEquals(List.of(key), List.copyOf(errors.keySet()), errors.toString());
        String message = errors.get(key).get(0);
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + part + "' not in: " + message);
        }
        for (String secret : secrets) {
            assertFalse(message.contains(secret), "a secret in a validation message: " + message);
        }
    }

    private Map<String, List<String>> validationErrors(Map<String, String> config) {
        return connect.validationErrors(PLUGIN, config);
    }

    private static Map<String, String> shippedSecuredExample() throws IOException {
        Path file = Paths.get(System.getProperty("project.basedir", ".")).resolve("config/request-merge-sink-secured.json");
        return JSON.readValue(file.toFile(), new TypeReference<Map<String, String>>() { });
    }

    /**
     * No password or key this test handed out is in the worker's log (which holds the connector's), in
     * the status API's answer, in a header or value of the dead letter queue, or in any JMX attribute of
     * the worker.
     */
    private void assertNoSecretLeaks() throws IOException {
        List<String> leaks = new ArrayList<>();
        String log = Files.readString(Stack.connect().log(), StandardCharsets.UTF_8);
        String status = connect.status(name).toString();
        List<ConsumerRecord<String, String>> dead = topics.readUntil(name + "-dlq", records -> false, Duration.ofSeconds(3));
        StringBuilder deadText = new StringBuilder();
        for (ConsumerRecord<String, String> record : dead) {
            deadText.append(record.value()).append('\n');
            for (Header header : record.headers()) {
                deadText.append(header.key()).append('=').append(header.value() == null ? ""
                    : new String(header.value(), StandardCharsets.UTF_8)).append('\n');
            }
        }
        String jmx = jmxAttributes(Stack.connect().pid());
        for (String secret : secrets) {
            if (log.contains(secret)) {
                leaks.add("the worker log " + Stack.connect().log());
            }
            if (status.contains(secret)) {
                leaks.add("the status API");
            }
            if (deadText.indexOf(secret) >= 0) {
                leaks.add("the dead letter queue");
            }
            if (jmx.contains(secret)) {
                leaks.add("JMX");
            }
        }
        assertTrue(leaks.isEmpty(), "a secret leaked into " + leaks);
        assertTrue(log.contains(RequestMergeSinkConnector.class.getSimpleName()), "the search read the worker's log "
            + Stack.connect().log() + " (" + log.length() + " characters)");
        assertTrue(jmx.contains("kafka.connect:type=connect-worker-metrics"), "the search read the worker's JMX attributes");
    }

    /** @return every readable attribute of every MBean of the worker, as text */
    private static String jmxAttributes(long pid) {
        StringBuilder text = new StringBuilder();
        try (JMXConnector connector = JvmAttach.jmx(pid)) {
            MBeanServerConnection server = connector.getMBeanServerConnection();
            for (ObjectName bean : server.queryNames(null, null)) {
                text.append(bean).append('\n');
                for (MBeanAttributeInfo attribute : server.getMBeanInfo(bean).getAttributes()) {
                    if (!attribute.isReadable()) {
                        continue;
                    }
                    try {
                        text.append(attribute.getName()).append('=').append(server.getAttribute(bean, attribute.getName()))
                            .append('\n');
                    } catch (Exception | LinkageError unreadable) {
                        // Some platform attributes throw when read (unsupported operations); they hold no config.
                    }
                }
            }
        } catch (Exception e) {
            throw new AssertionError("cannot read the worker's JMX attributes: " + e, e);
        }
        return text.toString();
    }
}
