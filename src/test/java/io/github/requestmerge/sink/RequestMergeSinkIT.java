package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;

/**
 * The packaged connector in a real Connect worker, configured with JSON through the REST API,
 * reading a real broker and writing a real Elasticsearch node.
 */
@ExtendWith(Stack.class)
class RequestMergeSinkIT {

    static final Duration TIMEOUT = Duration.ofSeconds(120);

    private ConnectRest connect;
    private Topics topics;
    private Documents documents;
    private String name;

    @BeforeEach
    void setUp(TestInfo test) {
        connect = new ConnectRest(Stack.connect().restUrl());
        topics = new Topics(Stack.kafka().bootstrapServers());
        documents = new Documents(Stack.elasticsearch().url());
        name = "sink-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @Test
    void issueExampleWithEnrichmentBecomesOneDocument() {
        String topic = name;
        topics.create(topic, 1);
        Map<String, String> config = SinkConfigs.enriched(SinkConfigs.merging(name, topic));
        connect.putConfig(name, config);
        connect.awaitRunning(name, 1, TIMEOUT);
        String ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
            + "Safari/537.36";
        try (KafkaProducer<String, String> producer = topics.producer()) {
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, "abc123", "{\"id\":\"abc123\",\"source\":2,"
                + "\"ipaddress\":\"89.160.20.128\",\"useragent\":\"" + ua + "\",\"domain\":\"somewhere.net\","
                + "\"clicks\":\"+1\",\"impressions\":\"+5\",\"price\":2.45}"));
            producer.send(new ProducerRecord<>(topic, 0, 2_000L, "abc123", "{\"id\":\"abc123\",\"clicks\":\"+3\",\"impressions\":\"+2\"}"));
            producer.send(new ProducerRecord<>(topic, 0, 3_000L, "abc123", "{\"id\":\"abc123\",\"impressions\":\"+2\",\"uptick\":4.50}"));
        }
        JsonNode doc = await(() -> {
            JsonNode d = documents.get(name, "abc123");
            return d != null && d.path("impressions").asInt() == 9 ? d : null;
        });
        assertEquals(4, doc.get("clicks").asInt());
        assertEquals(0, new java.math.BigDecimal("2.45").compareTo(doc.get("price").decimalValue()));
        assertEquals(0, new java.math.BigDecimal("4.5").compareTo(doc.get("uptick").decimalValue()));
        assertEquals("somewhere.net", doc.get("domain").asText());
        assertEquals(2, doc.get("source").asInt());
        assertEquals("1970-01-01T00:00:01Z", doc.get("created_at").asText());
        assertEquals("1970-01-01T00:00:03Z", doc.get("updated_at").asText());
        assertEquals("Sweden", doc.at("/geo/country_name").asText());
        assertTrue(doc.at("/geo/location/lat").isNumber());
        assertEquals("Chrome", doc.at("/UA/name").asText());
        connect.delete(name);
    }

    @Test
    void manyIdsOverSeveralPartitionsAndTwoTasksMergeExactly() {
        String topic = name;
        topics.create(topic, 4);
        RequestTimeline timeline = new RequestTimeline(500, 6, 4, 23);
        Map<String, String> config = SinkConfigs.merging(name, topic);
        config.put("tasks.max", "2");
        connect.putConfig(name, config);
        connect.awaitRunning(name, 2, TIMEOUT);
        topics.produce(topic, timeline.events());
        awaitAllMatch(documents, name, timeline);
        assertEquals(500, documents.count(name));
        connect.delete(name);
    }

    @Test
    void badRecordsReachTheDeadLetterQueueWithTheirReasonsWhileGoodOnesLand() {
        String topic = name;
        topics.create(topic, 1);
        Map<String, String> config = SinkConfigs.merging(name, topic);
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", name + "-dlq");
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        connect.putConfig(name, config);
        connect.awaitRunning(name, 1, TIMEOUT);
        try (KafkaProducer<String, String> producer = topics.producer()) {
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, "ok", "{\"status\":\"new\",\"clicks\":\"+1\"}"));
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, null, "{\"clicks\":\"+1\"}"));
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, "ok", "[1,2,3]"));
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, "ok", "{\"status\":\"+2\"}"));
            producer.send(new ProducerRecord<>(topic, 0, 1_000L, "ok", "{not json"));
            producer.send(new ProducerRecord<>(topic, 0, 2_000L, "ok", "{\"clicks\":\"+2\"}"));
        }
        List<ConsumerRecord<String, String>> dead = topics.read(name + "-dlq", 4, TIMEOUT);
        Map<Long, String> reasons = new HashMap<>();
        for (ConsumerRecord<String, String> record : dead) {
            long offset = Long.parseLong(header(record, "__connect.errors.offset"));
            reasons.put(offset, header(record, "__connect.errors.exception.message"));
        }
        assertEquals(4, reasons.size(), reasons.toString());
        assertEquals("topic " + topic + " partition 0 offset 1: record key: no id (null)", reasons.get(1L));
        assertEquals("topic " + topic + " partition 0 offset 2: the value must be a JSON object or a Struct, found an array",
            reasons.get(2L));
        assertEquals("topic " + topic + " partition 0 offset 3: id 'ok': field 'status': delta +2 on a field holding a "
            + "string, not a number", reasons.get(3L));
        assertNotNull(reasons.get(4L), "the converter's own failure goes to the DLQ too");
        JsonNode doc = await(() -> {
            JsonNode d = documents.get(name, "ok");
            return d != null && d.path("clicks").asInt() == 3 ? d : null;
        });
        assertEquals("new", doc.get("status").asText());
        connect.delete(name);
    }

    @Test
    void validationNamesTheKeyAtFaultAndProbesTheCluster() {
        Map<String, String> config = SinkConfigs.merging(name, name);
        config.put("merge.field.rules", "tags:unite");
        config.put("index.name", "Requests");
        Map<String, List<String>> errors = errors(connect.validate("RequestMergeSinkConnector", config));
        assertEquals(List.of("Invalid value [tags:unite] for configuration merge.field.rules: unknown merge rule 'unite'; "
            + "use one of sum, last, first, min, max, append, union, ignore"), errors.get("merge.field.rules"));
        assertEquals(List.of("Invalid value Requests for configuration index.name: index names must be lower case: "
            + "'Requests'"), errors.get("index.name"));
        assertEquals(2, errors.size(), errors.toString());

        config = SinkConfigs.merging(name, name);
        config.put("connection.username", "elastic");
        config.put("flush.max.events", "500000");
        errors = errors(connect.validate("RequestMergeSinkConnector", config));
        assertEquals(List.of("is required with connection.username"), errors.get("connection.password"));
        assertEquals(List.of("must not exceed buffer.max.events (20000)"), errors.get("flush.max.events"));

        // A cluster that is down now is no configuration error: the tasks wait for it.
        config = SinkConfigs.merging(name, name);
        config.put("connection.urls", "http://127.0.0.1:1");
        errors = errors(connect.validate("RequestMergeSinkConnector", config));
        assertEquals(Map.of(), errors);

        // An address that does not exist, or a server that is not Elasticsearch, is one.
        config.put("connection.urls", "http://no-such-host.invalid:9200");
        errors = errors(connect.validate("RequestMergeSinkConnector", config));
        // The resolver's own words after the host name vary by machine.
        assertEquals(1, errors.get("connection.urls").size(), errors.toString());
        assertTrue(errors.get("connection.urls").get(0).startsWith("cannot reach Elasticsearch at "
            + "http://no-such-host.invalid:9200 (no authentication): java.net.UnknownHostException: no-such-host.invalid"),
            errors.toString());
        config.put("connection.urls", Stack.connect().restUrl());
        errors = errors(connect.validate("RequestMergeSinkConnector", config));
        assertEquals(1, errors.get("connection.urls").size(), errors.toString());
        // Connect's REST API refuses the client's Elasticsearch media type.
        assertEquals(List.of("Elasticsearch at " + Stack.connect().restUrl() + " (no authentication) answered HTTP 406 "
            + "Not Acceptable; is this an Elasticsearch node?"), errors.get("connection.urls"));

        JsonNode valid = connect.validate("RequestMergeSinkConnector", SinkConfigs.merging(name, name));
        assertEquals(0, valid.get("error_count").asInt(), valid.toString());
        for (JsonNode value : valid.get("configs")) {
            JsonNode definition = value.get("definition");
            if (definition.get("name").asText().startsWith("merge.")) {
                assertEquals("Merge", definition.get("group").asText());
                assertTrue(!definition.get("display_name").asText().isEmpty());
                assertTrue(!definition.get("documentation").asText().isEmpty());
            }
        }
    }

    private static Map<String, List<String>> errors(JsonNode validation) {
        Map<String, List<String>> errors = new HashMap<>();
        for (JsonNode value : validation.get("configs")) {
            List<String> messages = new ArrayList<>();
            value.path("value").path("errors").forEach(e -> messages.add(e.asText()));
            if (!messages.isEmpty()) {
                errors.put(value.path("value").path("name").asText(), messages);
            }
        }
        return errors;
    }

    private static String header(ConsumerRecord<String, String> record, String key) {
        var header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    static void awaitAllMatch(Documents documents, String index, RequestTimeline timeline) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> wrong = List.of();
        while (System.nanoTime() < deadline) {
            wrong = timeline.mismatches(documents, index);
            if (wrong.isEmpty()) {
                return;
            }
            Waits.sleep(500);
        }
        throw new AssertionError(wrong.size() + " documents differ, e.g. " + wrong.get(0));
    }

    static <T> T await(java.util.function.Supplier<T> probe) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            T value = probe.get();
            if (value != null) {
                return value;
            }
            Waits.sleep(200);
        }
        throw new AssertionError("not within " + TIMEOUT);
    }
}
