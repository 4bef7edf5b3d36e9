package io.github.requestmerge.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The Connect worker's REST API, as a user drives it: JSON in, JSON out. */
public final class ConnectRest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final String url;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public ConnectRest(String url) {
        this.url = url;
    }

    /** Creates (or updates) a connector with PUT /connectors/{name}/config. */
    public JsonNode putConfig(String name, Map<String, String> config) {
        HttpResponse<String> response = send("PUT", "/connectors/" + name + "/config", config);
        if (response.statusCode() != 200 && response.statusCode() != 201) {
            throw new IllegalStateException("PUT config of " + name + ": " + response.statusCode() + " " + response.body());
        }
        return read(response);
    }

    /** @return the validate endpoint's answer for a plugin */
    public JsonNode validate(String plugin, Map<String, String> config) {
        return read(send("PUT", "/connector-plugins/" + plugin + "/config/validate", config));
    }

    /** @return the validate endpoint's error messages by key, only the keys with errors, sorted by key */
    public Map<String, List<String>> validationErrors(String plugin, Map<String, String> config) {
        Map<String, List<String>> errors = new java.util.TreeMap<>();
        for (JsonNode value : validate(plugin, config).path("configs")) {
            List<String> messages = new ArrayList<>();
            value.path("value").path("errors").forEach(message -> messages.add(message.asText()));
            if (!messages.isEmpty()) {
                errors.put(value.path("value").path("name").asText(), messages);
            }
        }
        return errors;
    }

    /** @return the class names of the connectors the worker can run ({@code GET /connector-plugins}) */
    public List<String> plugins() {
        List<String> classes = new ArrayList<>();
        read(send("GET", "/connector-plugins", null)).forEach(plugin -> classes.add(plugin.path("class").asText()));
        return classes;
    }

    public JsonNode status(String name) {
        return read(send("GET", "/connectors/" + name + "/status", null));
    }

    /**
     * Deletes the connector, waiting out a rebalance in progress (409) for up to a minute, so that
     * no task of a finished test keeps running; a connector that is not there is fine.
     */
    public void delete(String name) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> response = send("DELETE", "/connectors/" + name, null);
            if (response.statusCode() == 204 || response.statusCode() == 404) {
                return;
            }
            if (response.statusCode() != 409 || System.nanoTime() > deadline) {
                throw new IllegalStateException("DELETE of " + name + ": " + response.statusCode() + " " + response.body());
            }
            Waits.sleep(500);
        }
    }

    /** Waits until the connector and this many tasks are RUNNING; fails with the status (and any trace) otherwise. */
    public void awaitRunning(String name, int tasks, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        JsonNode status = null;
        while (System.nanoTime() < deadline) {
            status = status(name);
            int running = 0;
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    throw new AssertionError("task failed: " + task.path("trace").asText());
                }
                running += "RUNNING".equals(task.path("state").asText()) ? 1 : 0;
            }
            if ("RUNNING".equals(status.path("connector").path("state").asText()) && running == tasks) {
                return;
            }
            Waits.sleep(200);
        }
        throw new AssertionError(name + " not running with " + tasks + " tasks: " + status);
    }

    private HttpResponse<String> send(String method, String path, Object body) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofSeconds(90))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            request.header("Content-Type", "application/json");
            return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode read(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + response.body(), e);
        }
    }
}
