package io.github.requestmerge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.TestData;

/**
 * Real user agents from the npm packages bin/fetch-test-data downloads: ~10k browsers
 * (user-agents), ~2k bots and tools (crawler-user-agents) and the 100 most common ones
 * (top-user-agents). Distinct, in a stable order.
 */
public final class UserAgentCorpus {

    private UserAgentCorpus() {
    }

    public static List<String> real() {
        Set<String> agents = new LinkedHashSet<>();
        ObjectMapper json = new ObjectMapper();
        try {
            for (JsonNode entry : json.readTree(TestData.file("top-user-agents.json").toFile())) {
                agents.add(entry.asText());
            }
            for (JsonNode entry : json.readTree(TestData.file("user-agents.json").toFile())) {
                agents.add(entry.get("userAgent").asText());
            }
            for (JsonNode entry : json.readTree(TestData.file("crawler-user-agents.json").toFile())) {
                for (JsonNode instance : entry.path("instances")) {
                    agents.add(instance.asText());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new ArrayList<>(agents);
    }
}
