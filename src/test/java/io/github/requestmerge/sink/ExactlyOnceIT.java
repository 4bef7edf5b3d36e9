package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.FaultCheck;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.StatusWatcher;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;

/**
 * Exactly-once effect under at-least-once delivery, the hard way: a Connect worker killed with
 * SIGKILL and an Elasticsearch node stopped, each in the middle of a stream. Every document must
 * end up exactly equal to the merge computed independently by the test: nothing lost, nothing
 * counted twice; and no task may fail on the way, as nobody restarts one (the test restarts only
 * the process it broke).
 */
@ExtendWith(Stack.class)
class ExactlyOnceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);

    private ConnectRest connect;
    private Topics topics;
    private Documents documents;
    private String name;
    private StatusWatcher watcher;

    @BeforeEach
    void setUp(TestInfo test) {
        connect = new ConnectRest(Stack.connect().restUrl());
        topics = new Topics(Stack.kafka().bootstrapServers());
        documents = new Documents(Stack.elasticsearch().url());
        name = "eo-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        if (!Stack.elasticsearch().isAlive()) {
            Stack.elasticsearch().restart();
        }
        if (!Stack.connect().isAlive()) {
            Stack.connect().restart();
        }
        if (watcher != null) {
            watcher.close();
        }
        connect.delete(name);
    }

    @Test
    void workerKilledMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        topics.create(name, 3);
        RequestTimeline timeline = new RequestTimeline(600, 8, 3, 31);
        Map<String, String> config = SinkConfigs.merging(name, name);
        config.put("tasks.max", "2");
        // The restarted worker gets the partitions back once the dead consumers' sessions expire.
        config.put("consumer.override.session.timeout.ms", "10000");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);

        List<RequestTimeline.Event> events = timeline.events();
        CompletableFuture<Void> producing = CompletableFuture.runAsync(() -> produceSlowly(events, 40));
        // Kill once some documents are written and some offsets committed, while events still flow.
        RequestMergeSinkIT.await(() -> documents.count(name) > 100 ? Boolean.TRUE : null);
        Stack.connect().kill();
        producing.get();
        Stack.connect().restart();
        FaultCheck check = new FaultCheck("worker-sigkill-restarted", timeline, documents, name, watcher);
        check.faultEnded("restart");

        check.verify(TIMEOUT, topics, name, name + "-dlq", List.of());
    }

    @Test
    void elasticsearchStoppedMidStreamLosesNothingAndCountsNothingTwice() throws Exception {
        topics.create(name, 2);
        RequestTimeline timeline = new RequestTimeline(400, 8, 2, 37);
        Map<String, String> config = SinkConfigs.merging(name, name);
        config.put("tasks.max", "2");
        connect.putConfig(name, config);
        watcher = StatusWatcher.watch(name, Stack.connect().restUrl());
        connect.awaitRunning(name, 2, TIMEOUT);

        List<RequestTimeline.Event> events = timeline.events();
        int half = events.size() / 2;
        topics.produce(name, events.subList(0, half));
        RequestMergeSinkIT.await(() -> documents.count(name) > 100 ? Boolean.TRUE : null);
        Stack.elasticsearch().stop();
        topics.produce(name, events.subList(half, events.size()));
        Waits.sleep(2_000);
        Stack.elasticsearch().restart();
        FaultCheck check = new FaultCheck("elasticsearch-stopped", timeline, documents, name, watcher);
        check.faultEnded("restart");

        check.verify(TIMEOUT, topics, name, name + "-dlq", List.of());
    }

    private void produceSlowly(List<RequestTimeline.Event> events, int chunks) {
        int size = (events.size() + chunks - 1) / chunks;
        for (int from = 0; from < events.size(); from += size) {
            topics.produce(name, events.subList(from, Math.min(events.size(), from + size)));
            Waits.sleep(100);
        }
    }
}
