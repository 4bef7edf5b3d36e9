package io.github.requestmerge.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP endpoint on 127.0.0.1 that answers like Elasticsearch with scripted statuses and bodies,
 * for the answers a real node cannot be made to give on demand (a 401 to a bulk request, a 400 to a
 * template, a proxy's HTML page). Talked to with the real client over real HTTP. Requests are
 * matched by method and the longest path prefix, the latest rule among equals; unmatched ones get a 404.
 *
 * <p>Thread-safe: rules may be added while requests arrive.
 */
public final class FakeElasticsearch implements AutoCloseable {

    private record Rule(String method, String pathPrefix, int status, String contentType, String body) {
    }

    private final HttpServer server;
    private final List<Rule> rules = Collections.synchronizedList(new ArrayList<>());
    private final List<String> requests = Collections.synchronizedList(new ArrayList<>());

    public FakeElasticsearch() {
        try {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", exchange -> {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getPath();
            requests.add(method + " " + path);
            exchange.getRequestBody().readAllBytes();
            Rule rule;
            synchronized (rules) {
                rule = null;
                for (Rule candidate : rules) {
                    if (candidate.method.equals(method) && path.startsWith(candidate.pathPrefix)
                        && (rule == null || candidate.pathPrefix.length() >= rule.pathPrefix.length())) {
                        rule = candidate;
                    }
                }
            }
            if (rule == null) {
                rule = new Rule(method, path, 404, "application/json", error(404, "not_found", "no rule for " + path));
            }
            byte[] bytes = rule.body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", rule.contentType);
            exchange.getResponseHeaders().add("X-Elastic-Product", "Elasticsearch");
            exchange.sendResponseHeaders(rule.status, bytes.length == 0 ? -1 : bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        answer("GET", "/", 200, "{\"name\":\"fake\",\"cluster_name\":\"fake\",\"cluster_uuid\":\"_na_\",\"version\":{"
            + "\"number\":\"8.19.21\",\"build_flavor\":\"default\",\"build_type\":\"tar\",\"build_hash\":\"x\","
            + "\"build_date\":\"2026-01-01T00:00:00Z\",\"build_snapshot\":false,\"lucene_version\":\"9.12.0\","
            + "\"minimum_wire_compatibility_version\":\"7.17.0\",\"minimum_index_compatibility_version\":\"7.0.0\"},"
            + "\"tagline\":\"You Know, for Search\"}");
    }

    /** Answers {@code method} requests whose path starts with {@code pathPrefix} with this JSON body. */
    public FakeElasticsearch answer(String method, String pathPrefix, int status, String json) {
        return answer(method, pathPrefix, status, "application/json", json);
    }

    /** Answers with any content type (a proxy's HTML page, say). A later rule for the same prefix wins. */
    public FakeElasticsearch answer(String method, String pathPrefix, int status, String contentType, String body) {
        rules.add(new Rule(method, pathPrefix, status, contentType, body));
        return this;
    }

    /** Answers with Elasticsearch's error body for this status, type and reason. */
    public FakeElasticsearch fail(String method, String pathPrefix, int status, String type, String reason) {
        return answer(method, pathPrefix, status, error(status, type, reason));
    }

    /** @return Elasticsearch's error body */
    public static String error(int status, String type, String reason) {
        return "{\"error\":{\"root_cause\":[{\"type\":\"" + type + "\",\"reason\":\"" + reason + "\"}],\"type\":\"" + type
            + "\",\"reason\":\"" + reason + "\"},\"status\":" + status + "}";
    }

    /** @return requests received so far, as {@code METHOD /path} */
    public List<String> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
