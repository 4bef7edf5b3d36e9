package io.github.requestmerge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Watches a connector for the whole of a test: polls {@code GET /connectors/{name}/status} every
 * 250 ms and remembers every connector or task it ever saw FAILED, with its trace. A failed task
 * stays FAILED until someone restarts it, which the tests never do, so polling cannot miss one; a
 * task that fails on a worker that is then killed is restarted by the rebalance, but hardly within
 * 250 ms. Answers it cannot get (a worker down, a connector not yet created or already deleted) are
 * skipped: only what a worker says counts.
 *
 * <p>Thread-safety: the watcher polls on its own daemon thread; every method may be called from any
 * thread.
 */
public final class StatusWatcher implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long INTERVAL_MS = 250;

    /** A connector ({@code what} = "connector") or a task ({@code what} = "task 0", ...) seen FAILED. */
    public record Failure(String what, String workerId, String trace, Instant seen) {

        /** @return the innermost cause in the trace (Connect's own wrapper says only that the task is exiting) */
        public String rootCause() {
            String root = trace.lines().findFirst().orElse("");
            for (String line : trace.lines().toList()) {
                if (line.startsWith("Caused by: ")) {
                    root = line.substring("Caused by: ".length());
                }
            }
            return root;
        }

        @Override
        public String toString() {
            return what + " FAILED on " + workerId + " (first seen " + seen + "), root cause: " + rootCause()
                + "\n" + trace;
        }
    }

    private final String connector;
    private final List<String> restUrls;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    private final Map<String, Failure> failures = new LinkedHashMap<>();
    private final Thread thread;
    private volatile JsonNode last;
    private volatile boolean closed;

    private StatusWatcher(String connector, List<String> restUrls) {
        this.connector = connector;
        this.restUrls = List.copyOf(restUrls);
        this.thread = new Thread(this::run, "status-watcher-" + connector);
        this.thread.setDaemon(true);
    }

    /**
     * Starts watching a connector through the REST API of one or more workers of its group: each
     * poll asks them in turn until one answers.
     */
    public static StatusWatcher watch(String connector, String... restUrls) {
        StatusWatcher watcher = new StatusWatcher(connector, List.of(restUrls));
        watcher.thread.start();
        return watcher;
    }

    private void run() {
        while (!closed) {
            JsonNode status = poll();
            if (status != null) {
                last = status;
                record(status);
            }
            try {
                Thread.sleep(INTERVAL_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private JsonNode poll() {
        for (String url : restUrls) {
            try {
                HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(url + "/connectors/"
                    + connector + "/status")).timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200) {
                    return JSON.readTree(response.body());
                }
            } catch (IOException e) {
                // A worker that is down or busy rebalancing: ask the next one, or poll again later.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }

    private synchronized void record(JsonNode status) {
        JsonNode connectorStatus = status.path("connector");
        if ("FAILED".equals(connectorStatus.path("state").asText())) {
            remember("connector", connectorStatus);
        }
        for (JsonNode task : status.path("tasks")) {
            if ("FAILED".equals(task.path("state").asText())) {
                remember("task " + task.path("id").asText(), task);
            }
        }
    }

    private void remember(String what, JsonNode state) {
        String workerId = state.path("worker_id").asText();
        String trace = state.path("trace").asText();
        failures.putIfAbsent(what + "|" + workerId + "|" + trace, new Failure(what, workerId, trace, Instant.now()));
    }

    /** @return every distinct failure seen so far, oldest first */
    public synchronized List<Failure> failures() {
        return new ArrayList<>(failures.values());
    }

    /** @return how many tasks (and the connector) were seen FAILED, each counted once */
    public synchronized long failedCount() {
        return failures.values().stream().map(failure -> failure.what() + "|" + failure.workerId()).distinct().count();
    }

    /** @return the last status a worker answered with, or null before the first */
    public JsonNode lastStatus() {
        return last;
    }

    /** Fails with every failure seen, traces included, when there was any. */
    public void assertNothingFailed() {
        List<Failure> seen = failures();
        if (!seen.isEmpty()) {
            throw new AssertionError(connector + ": " + seen.size() + " failure(s) seen while watching; the first: "
                + seen.get(0) + (seen.size() > 1 ? "\nall: " + seen : ""));
        }
    }

    /** Stops watching; what was seen stays readable. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
