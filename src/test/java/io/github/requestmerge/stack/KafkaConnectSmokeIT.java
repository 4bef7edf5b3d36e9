package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.testing.SinkConfigs;

/**
 * The broker and the worker are real: records go through the broker, and a connector created
 * through the REST API (validated first) runs the packaged Enrich SMT, loaded from plugin.path.
 */
@ExtendWith(Stack.class)
class KafkaConnectSmokeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path temp;

    private static KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", Stack.kafka().bootstrapServers());
        props.put("acks", "all");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    @Test
    void recordsAreProducedAndConsumed() throws Exception {
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(new ProducerRecord<>("smoke-roundtrip", "id-" + i, "{\"n\":" + i + "}")).get();
            }
        }
        Properties props = new Properties();
        props.put("bootstrap.servers", Stack.kafka().bootstrapServers());
        props.put("group.id", "smoke");
        props.put("auto.offset.reset", "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                 new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of("smoke-roundtrip"));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (values.size() < 10 && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        assertEquals(10, values.size());
        assertEquals("{\"n\":0}", values.get(0));
    }

    @Test
    void connectorCreatedThroughRestRunsThePackagedTransform() throws Exception {
        String connect = Stack.connect().restUrl();
        JsonNode plugins = get(connect + "/connector-plugins?connectorsOnly=false");
        assertTrue(plugins.toString().contains("io.github.requestmerge.enrich.Enrich$Value"),
            "the worker found the transform on plugin.path: " + plugins);

        Path out = temp.resolve("enriched.jsonl");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", "smoke-enrich");
        config.put("connector.class", "org.apache.kafka.connect.file.FileStreamSinkConnector");
        config.put("tasks.max", "1");
        config.put("topics", "smoke-requests");
        config.put("file", out.toString());
        config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
        SinkConfigs.enriched(config);

        JsonNode validation = put(connect + "/connector-plugins/FileStreamSinkConnector/config/validate", config);
        assertEquals(0, validation.get("error_count").asInt(), validation.toString());
        Map<String, Object> create = Map.of("name", "smoke-enrich", "config", config);
        HttpResponse<String> created = send(HttpRequest.newBuilder(URI.create(connect + "/connectors"))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(create))).build());
        assertEquals(201, created.statusCode(), created.body());

        try (KafkaProducer<String, String> producer = producer()) {
            producer.send(new ProducerRecord<>("smoke-requests", "abc123",
                "{\"id\":\"abc123\",\"ipaddress\":\"89.160.20.128\",\"useragent\":\"curl/8.4.0\",\"clicks\":\"+1\"}")).get();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        String written = "";
        while (System.nanoTime() < deadline && !written.contains("Sweden")) {
            Thread.sleep(200);
            written = Files.exists(out) ? Files.readString(out, StandardCharsets.UTF_8) : "";
        }
        // FileStreamSink writes the record value's toString(): the enriched map.
        assertTrue(written.contains("country_name=Sweden") && written.contains("name=curl"), written);
        assertEquals(204, send(HttpRequest.newBuilder(URI.create(connect + "/connectors/smoke-enrich")).DELETE().build())
            .statusCode());
    }

    private JsonNode get(String url) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(url)).build()).body());
    }

    private JsonNode put(String url, Object body) throws Exception {
        return JSON.readTree(send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))).build()).body());
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
