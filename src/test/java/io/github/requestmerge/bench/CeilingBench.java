package io.github.requestmerge.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.testing.Documents;

/**
 * The write ceiling of {@code bin/bench}: the best any sink could do on this Elasticsearch node with these
 * documents. The final documents of a catch-up (read back from its index, so the same count, sizes and
 * fields) are bulk-indexed once each into a new index with the same mappings, straight from memory: no
 * Kafka, no merge, no reads, nothing but {@code _bulk} requests ({@code index} operations, the same number
 * of documents per request as the sink's {@code bulk.max.documents}, two requests in flight as two cores
 * allow, responses cut to the {@code errors} flag). The time runs from the first request to the last
 * response; a refresh after it is not counted (the sink's catch-up time includes one, so the ceiling is a
 * little generous).
 */
final class CeilingBench {

    /** What one ceiling run measured. */
    record Result(long documents, long bytes, double seconds, long requests, double elasticsearchCoreSeconds) {

        double documentsPerSecond() {
            return documents / seconds;
        }
    }

    private CeilingBench() {
    }

    /**
     * @param source the index holding the final documents (the catch-up's)
     * @param target the new index to fill; created with the source's mappings and deleted afterwards
     */
    static Result run(String elasticsearchUrl, long elasticsearchPid, String source, String target, int batch,
                      int inFlight) throws IOException, InterruptedException {
        Documents documents = new Documents(elasticsearchUrl);
        Map<String, JsonNode> all = documents.all(source);
        JsonNode mappings = documents.send("GET", "/" + source + "/_mapping", null).path(source).path("mappings");
        ObjectNode create = Documents.JSON.createObjectNode();
        create.set("mappings", mappings);
        create.putObject("settings").put("number_of_replicas", 0);
        JsonNode created = documents.send("PUT", "/" + target, create.toString());
        if (created.has("error")) {
            throw new IllegalStateException("creating the ceiling index " + target + ": " + created.path("error"));
        }
        List<byte[]> bodies = new ArrayList<>();
        long bytes = 0;
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        int inBody = 0;
        for (Map.Entry<String, JsonNode> document : all.entrySet()) {
            ObjectNode action = Documents.JSON.createObjectNode();
            action.putObject("index").put("_id", document.getKey());
            byte[] source1 = Documents.JSON.writeValueAsBytes(document.getValue());
            bytes += source1.length;
            body.write(Documents.JSON.writeValueAsBytes(action));
            body.write('\n');
            body.write(source1);
            body.write('\n');
            if (++inBody == batch) {
                bodies.add(body.toByteArray());
                body.reset();
                inBody = 0;
            }
        }
        if (inBody > 0) {
            bodies.add(body.toByteArray());
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        URI uri = URI.create(elasticsearchUrl + "/" + target + "/_bulk?filter_path=errors");
        Semaphore slots = new Semaphore(inFlight);
        AtomicLong failures = new AtomicLong();
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<CompletableFuture<?>> requests = new ArrayList<>();
        long cpuBefore = Processes.cpuMillis(elasticsearchPid);
        long start = System.nanoTime();
        for (byte[] request : bodies) {
            slots.acquire();
            requests.add(http.sendAsync(HttpRequest.newBuilder(uri).header("Content-Type", "application/x-ndjson")
                    .timeout(Duration.ofSeconds(120)).POST(HttpRequest.BodyPublishers.ofByteArray(request)).build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .whenComplete((response, error) -> {
                    slots.release();
                    String problem = error != null ? error.toString() : response.statusCode() != 200
                        || response.body().contains("\"errors\":true") ? "HTTP " + response.statusCode() + ": "
                        + response.body() : null;
                    if (problem != null) {
                        failures.incrementAndGet();
                        firstFailure.compareAndSet(null, problem);
                    }
                }));
        }
        CompletableFuture.allOf(requests.toArray(new CompletableFuture<?>[0])).exceptionally(error -> null).join();
        double seconds = (System.nanoTime() - start) / 1e9;
        double cpu = (Processes.cpuMillis(elasticsearchPid) - cpuBefore) / 1000.0;
        try {
            if (failures.get() > 0) {
                throw new IllegalStateException(failures.get() + " bulk requests of the ceiling failed, the first: "
                    + firstFailure.get());
            }
            documents.send("POST", "/" + target + "/_refresh", null);
            long count = documents.count(target);
            if (count != all.size()) {
                throw new IllegalStateException("the ceiling index holds " + count + " documents, " + all.size()
                    + " were written");
            }
        } finally {
            documents.send("DELETE", "/" + target, null);
        }
        return new Result(all.size(), bytes, seconds, bodies.size(), cpu);
    }
}
