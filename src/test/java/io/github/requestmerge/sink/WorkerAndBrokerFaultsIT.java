package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.stack.ConnectWorker;
import io.github.requestmerge.stack.KafkaBroker;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Waits;

/**
 * The sink rides through the loss of a Connect worker and of the Kafka broker, with no operator:
 * a worker of a two-worker group is SIGKILLed mid-stream and never comes back (the survivor takes
 * its tasks over), and the broker is SIGKILLed mid-stream and restarted. As in
 * {@link ElasticsearchFaultsIT}, each test streams keyed traffic with bad records, touches only the
 * faulty process, checks every document, the dead letter queue and that no task ever FAILED, and
 * prints one {@code FAULT ...} summary line.
 */
@ExtendWith(Stack.class)
class WorkerAndBrokerFaultsIT {

    private String name;
    private FaultScenario scenario;
    private List<ConnectWorker> group = List.of();

    @BeforeEach
    void setUp(TestInfo test) {
        name = "fault-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        // The shared broker must serve the classes after this one.
        KafkaBroker kafka = Stack.kafka();
        kafka.thaw();
        if (!kafka.isAlive()) {
            kafka.restart();
        }
        if (scenario != null) {
            scenario.close();
        }
        group.forEach(ConnectWorker::close);
    }

    @Test
    void workerKilledForGoodMidStreamHasItsTasksTakenOverByTheSurvivor() {
        // A group of its own, so the shared worker is unaffected; a departed worker's tasks are given
        // to the survivor after 5 s instead of Connect's default five minutes.
        group = ConnectWorker.startGroup(Stack.kafka(), 2, Map.of("scheduled.rebalance.max.delay.ms", "5000"));
        scenario = new FaultScenario("worker-sigkill", name, Stack.elasticsearch().url(),
            List.of(group.get(0).restUrl(), group.get(1).restUrl()), 61);
        // The dead worker's consumers hold their partitions until their session times out (45 s by default).
        scenario.config.put("consumer.override.session.timeout.ms", "10000");
        scenario.create();
        scenario.awaitRunning();
        ConnectRest rest = new ConnectRest(group.get(0).restUrl());
        String victimId = rest.status(name).path("tasks").path(0).path("worker_id").asText();
        ConnectWorker victim = group.stream().filter(worker -> worker.workerId().equals(victimId)).findFirst()
            .orElseThrow(() -> new AssertionError("task 0 runs on " + victimId + ", not in the group"));
        ConnectWorker survivor = group.get(0) == victim ? group.get(1) : group.get(0);
        scenario.stream(Duration.ofSeconds(30));
        scenario.awaitMidStream(0.3, 100);

        victim.kill();
        scenario.faultEnded("the kill");

        double takenOver = awaitAllRunningOn(new ConnectRest(survivor.restUrl()), survivor.workerId());
        scenario.check().note(String.format(Locale.ROOT, "tasks RUNNING on the survivor %.1f s after the kill", takenOver));
        scenario.verify();
    }

    @Test
    void brokerKilledMidStreamAndRestartedLosesNothingAndCountsNothingTwice() {
        KafkaBroker kafka = Stack.kafka();
        scenario = new FaultScenario("kafka-sigkill", name, Stack.elasticsearch().url(),
            List.of(Stack.connect().restUrl()), 67);
        scenario.config.put("consumer.override.session.timeout.ms", "10000");
        scenario.create();
        scenario.awaitRunning();
        scenario.stream(Duration.ofSeconds(30));
        scenario.awaitMidStream(0.3, 100);

        kafka.kill();
        Waits.sleep(5_000);
        kafka.restart();
        scenario.faultEnded("restart");

        scenario.verify();
    }

    /** @return seconds from the fault's end until the connector and every task run on {@code workerId} */
    private double awaitAllRunningOn(ConnectRest rest, String workerId) {
        RequestMergeSinkIT.await(() -> {
            JsonNode status;
            try {
                status = rest.status(name);
            } catch (RuntimeException e) {
                return null;
            }
            boolean all = status.path("tasks").size() == Integer.parseInt(scenario.config.get("tasks.max"))
                && runsOn(status.path("connector"), workerId);
            for (JsonNode task : status.path("tasks")) {
                all &= runsOn(task, workerId);
            }
            return all ? Boolean.TRUE : null;
        });
        return scenario.check().secondsSinceFaultEnded();
    }

    private static boolean runsOn(JsonNode state, String workerId) {
        return "RUNNING".equals(state.path("state").asText()) && workerId.equals(state.path("worker_id").asText());
    }
}
