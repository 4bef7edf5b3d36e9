package io.github.requestmerge.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.github.requestmerge.TestData;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.Topics;

/**
 * {@code bin/quickstart}: on a stack started by {@code bin/stack up}, creates the {@code requests}
 * topic, creates the merging sink from {@code config/request-merge-sink.json} through the REST API
 * (pointed at the local Elasticsearch and the test GeoLite2 database), produces the three events of
 * one request, and prints the merged document Elasticsearch holds.
 */
public final class QuickstartCli {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private QuickstartCli() {
    }

    public static void main(String[] args) throws Exception {
        Properties stack = new Properties();
        try (var reader = Files.newBufferedReader(StackParts.stackDir().resolve("stack.properties"), StandardCharsets.UTF_8)) {
            stack.load(reader);
        }
        String elasticsearch = stack.getProperty("elasticsearch.url");
        ConnectRest connect = new ConnectRest(stack.getProperty("connect.url"));
        Topics topics = new Topics(stack.getProperty("kafka.bootstrap.servers"));

        Map<String, String> config = JSON.readValue(StackParts.projectDir().resolve("config/request-merge-sink.json")
            .toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        config.put("connection.urls", elasticsearch);
        config.put("transforms.enrich.geoip.database.path", TestData.geoLite2City().toString());
        String name = config.get("name");
        try {
            topics.create("requests", 3);
        } catch (IllegalStateException e) {
            System.out.println("Topic requests exists already.");
        }
        connect.putConfig(name, config);
        connect.awaitRunning(name, Integer.parseInt(config.get("tasks.max")), java.time.Duration.ofSeconds(120));
        System.out.println("Connector " + name + " is running (" + stack.getProperty("connect.url") + "/connectors/"
            + name + "/status).");

        String id = "quickstart-" + Long.toString(System.currentTimeMillis(), 36);
        List<String> events = List.of(
            "{\"id\":\"" + id + "\",\"source\":2,\"ipaddress\":\"89.160.20.128\",\"useragent\":\"Mozilla/5.0 (Windows NT "
                + "10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\","
                + "\"domain\":\"somewhere.net\",\"clicks\":\"+1\",\"impressions\":\"+5\",\"price\":2.45}",
            "{\"id\":\"" + id + "\",\"clicks\":\"+3\",\"impressions\":\"+2\"}",
            "{\"id\":\"" + id + "\",\"impressions\":\"+2\",\"uptick\":4.50}");
        try (KafkaProducer<String, String> producer = topics.producer()) {
            for (String event : events) {
                System.out.println("produce  " + event);
                producer.send(new ProducerRecord<>("requests", id, event)).get();
                Thread.sleep(300);
            }
        }
        Documents documents = new Documents(elasticsearch);
        long deadline = System.nanoTime() + 60_000_000_000L;
        JsonNode doc = null;
        while (System.nanoTime() < deadline) {
            doc = documents.get("requests", id);
            if (doc != null && doc.path("impressions").asInt() == 9) {
                break;
            }
            Thread.sleep(100);
        }
        if (doc == null) {
            System.err.println("No merged document after 60 s; see " + stack.getProperty("connect.log"));
            System.exit(1);
        }
        System.out.println("\nGET " + elasticsearch + "/requests/_doc/" + id + "\n" + JSON.writeValueAsString(doc));
        System.out.println("\nThe stack keeps running: produce more to topic requests, or stop it with bin/stack down.");
    }

}
