package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.ElasticsearchNode;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.Waits;

/**
 * The sink rides through what happens to Elasticsearch in production, with no operator: the node
 * crashes and comes back, hangs for longer than the connector's socket timeout, rejects writes
 * with 429 because its write queue is full, blocks the index at the flood-stage watermark, or is
 * not there yet when the connector is created. Each test runs the real worker, broker and node as
 * separate processes, streams keyed traffic of 800 ids with a few bad records over four partitions
 * and two tasks while the fault happens, touches nothing but the faulty process, and then checks
 * every document against the independent merge, the dead letter queue against the bad records, and
 * that no task was ever FAILED. Each prints one {@code FAULT ...} summary line.
 */
@ExtendWith(Stack.class)
class ElasticsearchFaultsIT {

    private String name;
    private FaultScenario scenario;
    private ElasticsearchNode dedicated;

    @BeforeEach
    void setUp(TestInfo test) {
        name = "fault-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        // The shared node must serve the classes after this one, whatever the test left it in.
        ElasticsearchNode shared = Stack.elasticsearch();
        shared.thaw();
        if (!shared.isAlive()) {
            shared.restart();
        }
        if (scenario != null) {
            scenario.close();
        }
        if (dedicated != null) {
            dedicated.close();
        }
    }

    private FaultScenario scenario(String fault, String elasticsearchUrl, long seed) {
        scenario = new FaultScenario(fault, name, elasticsearchUrl, List.of(Stack.connect().restUrl()), seed);
        return scenario;
    }

    @Test
    void elasticsearchKilledMidStreamAndRestartedLosesNothingAndCountsNothingTwice() {
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        FaultScenario run = scenario("elasticsearch-sigkill", elasticsearch.url(), 41);
        run.create();
        run.awaitRunning();
        run.stream(Duration.ofSeconds(40));
        run.awaitMidStream(0.3, 100);

        elasticsearch.kill();
        // Down for over half a minute, as a crashed node restarted by its supervisor can be: longer than
        // a few quick retries last, so only waiting as long as it takes gets through.
        Waits.sleep(30_000);
        elasticsearch.restart();
        run.faultEnded("restart");

        run.verify();
    }

    @Test
    void elasticsearchFrozenLongerThanTheReadTimeoutLosesNothingAndCountsNothingTwice() {
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        FaultScenario run = scenario("elasticsearch-sigstop", elasticsearch.url(), 43);
        // Requests in flight when the node froze time out on the client, yet the node may still apply
        // them once thawed: the retries then meet documents that changed under them.
        run.config.put("read.timeout.ms", "4000");
        run.create();
        run.awaitRunning();
        run.stream(Duration.ofSeconds(30));
        run.awaitMidStream(0.3, 100);

        elasticsearch.freeze();
        Waits.sleep(15_000);
        elasticsearch.thaw();
        run.faultEnded("SIGCONT");

        run.verify();
    }

    @Test
    void writesRejectedWithTooManyRequestsAreRetriedUntilEveryDocumentIsExact() {
        // One write thread and a queue of one: concurrent bulk requests overflow it, as they overflow a
        // busy production cluster's queue, and Elasticsearch answers 429.
        dedicated = ElasticsearchNode.start(Map.of("thread_pool.write.size", "1", "thread_pool.write.queue_size", "1"));
        Documents node = new Documents(dedicated.url());
        FaultScenario run = scenario("elasticsearch-429", dedicated.url(), 47);
        // Four tasks, each flushing often in small bulk requests, so that several are in flight at once.
        run.config.put("tasks.max", "4");
        run.config.put("bulk.max.documents", "20");
        run.config.put("flush.linger.ms", "10");
        run.check().note(() -> "write rejections " + writeRejections(node));
        run.create();
        run.awaitRunning();
        run.stream(Duration.ofSeconds(20));
        run.awaitStreamed();
        run.faultEnded("the last event was produced");

        run.verify();
        assertTrue(writeRejections(node) > 0, "Elasticsearch rejected writes (429): otherwise this proves nothing");
    }

    @Test
    void indexBlockedAtTheFloodStageAndReleasedLaterLosesNothingAndCountsNothingTwice() {
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        FaultScenario run = scenario("elasticsearch-flood-stage-block", elasticsearch.url(), 53);
        run.create();
        run.awaitRunning();
        run.stream(Duration.ofSeconds(50));
        run.awaitMidStream(0.3, 100);

        // What Elasticsearch itself sets on every index of a node past the flood-stage disk watermark. It
        // stays until disk is freed, which takes minutes in production; here it is held for 40 s.
        block(run.documents, true);
        Waits.sleep(40_000);
        block(run.documents, false);
        run.faultEnded("the block was released");

        run.verify();
    }

    @Test
    void elasticsearchDownWhenTheConnectorIsCreatedIsWaitedFor() {
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        FaultScenario run = scenario("elasticsearch-down-at-create", elasticsearch.url(), 59);
        elasticsearch.stop();
        long created = System.nanoTime();
        run.create();
        run.stream(Duration.ofSeconds(20));

        // About a minute: long enough for tasks to start, find no cluster and keep waiting for it.
        Waits.sleep(Math.max(0, 60_000 - (System.nanoTime() - created) / 1_000_000));
        elasticsearch.restart();
        run.faultEnded("Elasticsearch started");

        run.verify();
    }

    private void block(Documents documents, boolean blocked) {
        JsonNode answer = documents.send("PUT", "/" + name + "/_settings",
            "{\"index.blocks.read_only_allow_delete\":" + (blocked ? "true" : "null") + "}");
        assertTrue(answer.path("acknowledged").asBoolean(), answer.toString());
        JsonNode settings = documents.send("GET", "/" + name + "/_settings", null);
        assertEquals(blocked ? "true" : "", settings.path(name).path("settings").path("index").path("blocks")
            .path("read_only_allow_delete").asText(), settings.toString());
    }

    private static long writeRejections(Documents node) {
        long rejected = 0;
        for (JsonNode stats : node.send("GET", "/_nodes/stats/thread_pool", null).path("nodes")) {
            rejected += stats.path("thread_pool").path("write").path("rejected").asLong();
        }
        return rejected;
    }
}
