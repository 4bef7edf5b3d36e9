package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

import org.apache.http.HttpHost;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.Refresh;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * The shared Elasticsearch node, Kafka broker and Connect worker restart in place, as later tests
 * need when they stop or crash a part mid-stream: same endpoint, same data, same configuration, and
 * clients made before the restart keep working. A frozen part answers nothing until it is thawed.
 * Every test leaves the parts running for the classes after it.
 */
@ExtendWith(Stack.class)
class StackRestartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private ElasticsearchNode elasticsearch;
    private KafkaBroker kafka;
    private ConnectWorker connect;

    @TempDir
    Path temp;

    @AfterEach
    void leavePartsRunning() {
        if (elasticsearch != null) {
            elasticsearch.thaw();
            if (!elasticsearch.isAlive()) {
                elasticsearch.restart();
            }
        }
        if (kafka != null && !kafka.isAlive()) {
            kafka.restart();
        }
        if (connect != null && !connect.isAlive()) {
            connect.restart();
        }
    }

    @Test
    @SuppressWarnings("rawtypes")
    void documentIndexedBeforeAStopIsFoundAfterRestartAtTheSameUrl() throws IOException {
        elasticsearch = Stack.elasticsearch();
        String url = elasticsearch.url();
        try (RestClient rest = RestClient.builder(HttpHost.create(url)).build()) {
            ElasticsearchClient client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
            client.index(i -> i.index("restart-stop").id("abc123").document(Map.of("id", "abc123", "clicks", 4))
                .refresh(Refresh.True));
            long pid = elasticsearch.pid();

            elasticsearch.stop();
            assertFalse(ProcessHandle.of(pid).isPresent(), "the old node's process is gone");
            assertThrows(IOException.class, client::ping, "nothing answers while the node is stopped");

            elasticsearch.restart();
            assertEquals(url, elasticsearch.url());
            assertNotEquals(pid, elasticsearch.pid());
            assertEquals(4, ((Number) client.get(g -> g.index("restart-stop").id("abc123"), Map.class).source()
                .get("clicks")).intValue(), "the client made before the stop reads the document");
        }
    }

    @Test
    @SuppressWarnings("rawtypes")
    void documentAcknowledgedBeforeAKillIsFoundAfterRestart() throws IOException {
        elasticsearch = Stack.elasticsearch();
        String url = elasticsearch.url();
        try (RestClient rest = RestClient.builder(HttpHost.create(url)).build()) {
            ElasticsearchClient client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
            // No refresh: the document is only in the translog when the node dies, which recovery replays.
            client.index(i -> i.index("restart-kill").id("abc123").document(Map.of("id", "abc123", "clicks", 7)));

            elasticsearch.kill();
            elasticsearch.restart();

            assertEquals(url, elasticsearch.url());
            assertEquals(7, ((Number) client.get(g -> g.index("restart-kill").id("abc123"), Map.class).source()
                .get("clicks")).intValue());
            assertEquals(1, client.count(c -> c.index("restart-kill")).count(), "recovered documents are searchable");
        }
    }

    @Test
    void frozenNodeAnswersNothingUntilThawedAndThenAnswersAsBefore() throws Exception {
        elasticsearch = Stack.elasticsearch();
        String url = elasticsearch.url();
        long pid = elasticsearch.pid();
        HttpRequest health = HttpRequest.newBuilder(URI.create(url + "/_cluster/health")).timeout(Duration.ofSeconds(2))
            .build();
        assertEquals(200, send(health).statusCode());

        elasticsearch.freeze();
        assertTrue(elasticsearch.frozen());
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "a frozen node's process lives");
        // The kernel still accepts the connection; nobody reads the request.
        assertThrows(HttpTimeoutException.class, () -> send(health));

        elasticsearch.thaw();
        assertFalse(elasticsearch.frozen());
        assertEquals(pid, elasticsearch.pid(), "thawing resumes the same process");
        assertEquals(200, send(health).statusCode());
    }

    @Test
    void frozenNodeRestartsInPlace() throws Exception {
        elasticsearch = Stack.elasticsearch();
        String url = elasticsearch.url();
        long pid = elasticsearch.pid();
        elasticsearch.freeze();

        elasticsearch.restart();

        assertFalse(elasticsearch.frozen());
        assertFalse(ProcessHandle.of(pid).isPresent(), "the frozen node was thawed and stopped");
        assertEquals(url, elasticsearch.url());
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(url + "/_cluster/health")).build()).statusCode());
    }

    @Test
    void dedicatedNodeRunsWithTheExtraNodeSettingsAndStopsWhenClosed() throws Exception {
        long pid;
        try (ElasticsearchNode node = ElasticsearchNode.start(Map.of("thread_pool.write.size", "1",
            "thread_pool.write.queue_size", "1"))) {
            assertNotEquals(Stack.elasticsearch().url(), node.url(), "not the shared node");
            pid = node.pid();
            // Only the effective thread pool proves the node applied them, not merely read them.
            JsonNode pools = get(node.url() + "/_nodes/_local/thread_pool").path("nodes");
            JsonNode write = pools.elements().next().path("thread_pool").path("write");
            assertEquals(1, write.path("size").asInt(), write.toString());
            assertEquals(1, write.path("queue_size").asInt(), write.toString());
        }
        assertFalse(ProcessHandle.of(pid).isPresent(), "close() stopped the dedicated node");
    }

    @Test
    void brokerKilledMidUseRestartsInPlaceWithItsRecords() throws Exception {
        kafka = Stack.kafka();
        String bootstrap = kafka.bootstrapServers();
        String topic = "restart-broker-" + System.currentTimeMillis();
        produce(topic, "before-the-crash");
        long pid = kafka.pid();

        kafka.kill();
        assertFalse(ProcessHandle.of(pid).isPresent(), "the killed broker's process is gone");
        kafka.restart();

        assertEquals(bootstrap, kafka.bootstrapServers());
        assertNotEquals(pid, kafka.pid());
        produce(topic, "after-the-restart");
        assertEquals(List.of("before-the-crash", "after-the-restart"), consume(topic, 2));
    }

    @Test
    void frozenBrokerIsThawedAndStoppedByRestart() throws Exception {
        kafka = Stack.kafka();
        long pid = kafka.pid();
        kafka.freeze();
        assertTrue(kafka.frozen());

        kafka.restart();

        assertFalse(kafka.frozen());
        assertFalse(ProcessHandle.of(pid).isPresent());
        String topic = "restart-frozen-broker-" + System.currentTimeMillis();
        produce(topic, "after-the-restart");
        assertEquals(List.of("after-the-restart"), consume(topic, 1));
    }

    @Test
    void connectorKeepsSinkingRecordsAfterTheWorkerIsKilledAndRestarted() throws Exception {
        connect = Stack.connect();
        String url = connect.restUrl();
        Path out = temp.resolve("sunk.txt");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", "restart-sink");
        config.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", "restart-requests");
        config.put("file", out.toString());
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        config.put("value.converter", "org.apache.kafka.connect.storage.StringConverter");
        // The killed task's consumer stays in its group until its session times out (45 s by default).
        config.put("consumer.override.session.timeout.ms", "10000");
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(url + "/connectors"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(Map.of("name", "restart-sink",
                "config", config)))).build());
        assertEquals(201, created.statusCode(), created.body());
        produce("restart-requests", "before-the-crash");
        awaitFileContains(out, "before-the-crash");
        long pid = connect.pid();

        connect.kill();
        assertFalse(ProcessHandle.of(pid).isPresent(), "the killed worker's process is gone");
        connect.restart();

        assertEquals(url, connect.restUrl());
        assertNotEquals(pid, connect.pid());
        assertTrue(get(url + "/connectors").toString().contains("\"restart-sink\""), "the connector is still configured");
        // The status topic still says RUNNING from before the crash: only a new record proves the task runs again.
        produce("restart-requests", "after-the-restart");
        awaitFileContains(out, "after-the-restart");
        JsonNode status = await(() -> get(url + "/connectors/restart-sink/status"),
            s -> s.path("connector").path("state").asText().equals("RUNNING")
                && s.path("tasks").path(0).path("state").asText().equals("RUNNING"));
        assertEquals("RUNNING", status.path("connector").path("state").asText(), status.toString());
        assertEquals("RUNNING", status.path("tasks").path(0).path("state").asText(), status.toString());
        assertEquals(URI.create(url).getAuthority(), status.path("tasks").path(0).path("worker_id").asText());
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(url + "/connectors/restart-sink")).DELETE().build())
            .statusCode());
    }

    @Test
    void restartOnAPortTakenByAnotherProcessNamesThePartThePortAndTheLog() throws Exception {
        connect = Stack.connect();
        String url = connect.restUrl();
        int port = URI.create(url).getPort();
        long pid = connect.pid();
        connect.restart();
        assertNotEquals(pid, connect.pid(), "restart() of a running worker stops it and starts a new JVM");
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(url + "/health")).build()).statusCode());

        connect.stop();
        try (ServerSocket squatter = new ServerSocket()) {
            squatter.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            StackException e = assertThrows(StackException.class, connect::restart);
            assertTrue(e.getMessage().contains("Connect worker") && e.getMessage().contains(":" + port)
                && e.getMessage().contains(connect.log().toString()), e.getMessage());
        }
        connect.restart();
        assertEquals(200, send(HttpRequest.newBuilder(URI.create(url + "/health")).build()).statusCode());
    }

    private static void produce(String topic, String value) throws Exception {
        Properties props = new Properties();
        props.put("bootstrap.servers", Stack.kafka().bootstrapServers());
        props.put("acks", "all");
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, "abc123", value)).get();
        }
    }

    private static List<String> consume(String topic, int expected) {
        Properties props = new Properties();
        props.put("bootstrap.servers", Stack.kafka().bootstrapServers());
        props.put("group.id", "restart-reader-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                 new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (values.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(record -> values.add(record.value()));
            }
        }
        return values;
    }

    private static void awaitFileContains(Path file, String text) throws Exception {
        String written = await(() -> Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "",
            content -> content.contains(text));
        assertTrue(written.contains(text), file + " has '" + text + "': " + written);
    }

    /** Polls until {@code done} holds or the deadline passes; returns the last value either way. */
    private static <T> T await(Callable<T> poll, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        T value = poll.call();
        while (!done.test(value) && System.nanoTime() < deadline) {
            Thread.sleep(200);
            value = poll.call();
        }
        return value;
    }

    private JsonNode get(String url) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(url)).build()).body());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
