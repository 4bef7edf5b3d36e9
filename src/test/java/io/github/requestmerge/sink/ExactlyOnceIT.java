package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.Topics;

/**
 * Exactly-once effect under at-least-once delivery, the hard way: a Connect worker killed with
 * SIGKILL and an Elasticsearch node stopped, each in the middle of a stream. Every document must
 * end up exactly equal to the merge computed independently by the test: nothing lost, nothing
 * counted twice.
 */
@ExtendWith(Stack.class)
class ExactlyOnceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    private ConnectRest connect;
    private Topics topics;
    private Documents documents;
    private String name;

    @BeforeEach
    void setUp(TestInfo test) {
        connect = new ConnectRest(Stack.connect().restUrl());
        topics = new Topics(Stack.kafka().bootstrapServers());
        documents = new Documents(Stack.elasticsearch().url());
        name = "eo-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @Test
    void workerKilledMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        topics.create(name, 3);
        RequestTimeline timeline = new RequestTimeline(600, 8, 3, 31);
        Map<String, String> config = RequestMergeSinkIT.sinkConfig(name, name);
        config.put("tasks.max", "2");
        // The restarted worker gets the partitions back once the dead consumers' sessions expire.
        config.put("consumer.override.session.timeout.ms", "10000");
        connect.putConfig(name, config);
        connect.awaitRunning(name, 2, TIMEOUT);

        List<RequestTimeline.Event> events = timeline.events();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produceSlowly(events, 40));
        // Kill once some documents are written and some offsets committed, while events still flow.
        RequestMergeSinkIT.await(() -> documents.count(name) > 100 ? Boolean.TRUE : null);
        Stack.connect().kill();
        producing.get();
        Stack.connect().restart();
        connect.awaitRunning(name, 2, TIMEOUT);

        awaitAllMatch(timeline);
        connect.delete(name);
    }

    @Test
    void elasticsearchStoppedMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        topics.create(name, 2);
        RequestTimeline timeline = new RequestTimeline(400, 8, 2, 37);
        Map<String, String> config = RequestMergeSinkIT.sinkConfig(name, name);
        config.put("tasks.max", "2");
        connect.putConfig(name, config);
        connect.awaitRunning(name, 2, TIMEOUT);

        List<RequestTimeline.Event> events = timeline.events();
        int half = events.size() / 2;
        topics.produce(name, events.subList(0, half));
        RequestMergeSinkIT.await(() -> documents.count(name) > 100 ? Boolean.TRUE : null);
        Stack.elasticsearch().stop();
        topics.produce(name, events.subList(half, events.size()));
        RequestMergeSinkIT.sleep(2_000);
        Stack.elasticsearch().restart();

        awaitAllMatch(timeline);
        connect.delete(name);
    }

    private void produceSlowly(List<RequestTimeline.Event> events, int chunks) {
        int size = (events.size() + chunks - 1) / chunks;
        for (int from = 0; from < events.size(); from += size) {
            topics.produce(name, events.subList(from, Math.min(events.size(), from + size)));
            RequestMergeSinkIT.sleep(100);
        }
    }

    /**
     * Waits for every document to match. A task that gave up while Elasticsearch was away (retries
     * exhausted) is restarted, as an operator would; that it then resumes without loss is part of
     * what this checks.
     */
    private void awaitAllMatch(RequestTimeline timeline) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        List<String> wrong = List.of();
        while (System.nanoTime() < deadline) {
            JsonNode status = connect.status(name);
            for (JsonNode task : status.path("tasks")) {
                if ("FAILED".equals(task.path("state").asText())) {
                    connect.restartFailed(name);
                }
            }
            wrong = timeline.mismatches(documents, name);
            if (wrong.isEmpty()) {
                assertEquals(timeline.ids().size(), documents.count(name));
                return;
            }
            RequestMergeSinkIT.sleep(500);
        }
        throw new AssertionError(wrong.size() + " documents differ, e.g. " + (wrong.isEmpty() ? "" : wrong.get(0)));
    }
}
