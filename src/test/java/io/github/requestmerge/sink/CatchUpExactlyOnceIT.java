package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;

import io.github.requestmerge.stack.ConnectWorker;
import io.github.requestmerge.stack.ElasticsearchNode;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SinkTaskJmx;
import io.github.requestmerge.testing.SinkTaskJmx.Task;
import io.github.requestmerge.testing.Waits;

/**
 * Exactly once through the catch-up path (issue 15): documents merged and held in memory, written once
 * per checkpoint, offsets committed only up to the last checkpoint. Every test configures the connector
 * so that every batch counts as behind ({@code catchup.min.lag.ms=0}) with checkpoints a few seconds
 * apart, streams keyed traffic with bad records (see {@link FaultScenario}), breaks a real process at a
 * moment read from the tasks' JMX (documents held, a checkpoint being written), touches nothing an
 * operator would (no task restart, no config change), and ends with every document compared with the
 * independent merge, the dead letter queue checked, no task ever FAILED, and checkpoints seen in JMX, so
 * the test went through the path it claims to. Each prints one {@code FAULT ...} summary line.
 */
@ExtendWith(Stack.class)
class CatchUpExactlyOnceIT {

    /** Long enough for several batches to be held between checkpoints, short enough for several checkpoints a test. */
    private static final long CHECKPOINT_INTERVAL_MS = 2_500;

    private String name;
    private FaultScenario scenario;
    private List<ConnectWorker> group = List.of();
    private final List<SinkTaskJmx> attached = new ArrayList<>();
    private RewindWatch rewindWatch;

    @BeforeEach
    void setUp(TestInfo test) {
        name = "catchup-" + test.getTestMethod().orElseThrow().getName().toLowerCase();
    }

    @AfterEach
    void tearDown() {
        if (rewindWatch != null) {
            rewindWatch.close();
        }
        attached.forEach(SinkTaskJmx::close);
        group.forEach(ConnectWorker::thaw);
        // The shared parts must serve the classes after this one.
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        if (!elasticsearch.isAlive()) {
            elasticsearch.restart();
        }
        ConnectWorker connect = Stack.connect();
        if (!connect.isAlive()) {
            connect.restart();
        }
        if (scenario != null) {
            scenario.close();
        }
        group.forEach(ConnectWorker::close);
    }

    /**
     * A worker SIGKILLed while a task writes a checkpoint (some of its bulk requests sent, its offsets not
     * yet committable), with documents held on the other task, and restarted while the traffic goes on: the
     * events since the last checkpoint are read again, and those a document already holds count once.
     */
    @Test
    void workerKilledWhileACheckpointIsWrittenLosesNothingAndCountsNothingTwice() {
        ConnectWorker worker = Stack.connect();
        scenario = new FaultScenario("catchup-worker-sigkill-mid-checkpoint", name, Stack.elasticsearch().url(),
            List.of(worker.restUrl()), 71);
        catchUp(scenario.config, CHECKPOINT_INTERVAL_MS);
        // A checkpoint of a hundred documents or more then takes ten bulk requests or more: a kill can land inside one.
        scenario.config.put("bulk.max.documents", "10");
        // The restarted worker's tasks get the partitions once the dead consumers' sessions expired.
        scenario.config.put("consumer.override.session.timeout.ms", "10000");
        scenario.create();
        // From the moment the connector exists: its tasks start behind, and the traffic keeps them busy.
        scenario.stream(Duration.ofSeconds(30));
        scenario.awaitRunning();

        String moment = awaitCheckpointBeingWritten(attach(worker));
        worker.kill();
        scenario.check().faultBegan();
        scenario.check().note(moment);
        worker.restart();
        scenario.faultEnded("restart");

        SinkTaskJmx restarted = attach(worker);
        scenario.check().note(() -> "after the restart: " + describe(restarted.tasks(name)));
        scenario.verify();
        long checkpoints = restarted.sum(name, Task::checkpoints);
        assertTrue(checkpoints > 0, "the restarted worker's tasks wrote their documents at checkpoints: " + checkpoints);
    }

    /**
     * Elasticsearch SIGKILLed while the tasks hold documents merged from cached ones, so the next thing the
     * writer asks of it is a checkpoint's bulk request: that request meets the outage and is retried until the
     * node is back, the tasks run throughout, and the checkpoint then completes. A request the kill cut short
     * may have been applied: sent again, its writes conflict with themselves, and must count as written, not
     * rewind (a rewind writes the documents without a checkpoint).
     */
    @Test
    void elasticsearchDownWhenACheckpointIsDueLosesNothingAndCountsNothingTwice() {
        ElasticsearchNode elasticsearch = Stack.elasticsearch();
        scenario = new FaultScenario("catchup-elasticsearch-sigkill-at-checkpoint", name, elasticsearch.url(),
            List.of(Stack.connect().restUrl()), 73);
        catchUp(scenario.config, CHECKPOINT_INTERVAL_MS);
        scenario.create();
        scenario.awaitRunning();
        SinkTaskJmx jmx = attach(Stack.connect());
        List<RequestTimeline.Event> events = scenario.timeline.events();
        List<List<Integer>> phases = phases(events);
        RecordMetadata[] produced = new RecordMetadata[events.size()];

        // Every id's first events: once all documents exist, the tasks hold them all in their caches, and what
        // follows is merged without reading anything (a read would meet the outage before the checkpoint does).
        produce(phases.get(0), produced);
        int ids = scenario.timeline.ids().size();
        RequestMergeSinkIT.await(() -> scenario.documents.count(name) == ids ? Boolean.TRUE : null);
        long checkpointsBefore = jmx.sum(name, Task::checkpoints);
        produce(phases.get(1), produced);
        RequestMergeSinkIT.await(() -> jmx.sum(name, Task::heldDocuments) > 0 ? Boolean.TRUE : null);
        long held = jmx.sum(name, Task::heldDocuments);

        elasticsearch.kill();
        scenario.check().faultBegan();
        scenario.check().note("Elasticsearch killed with " + held + " documents held, after " + checkpointsBefore
            + " checkpoints");
        produce(phases.get(2), produced);
        String failedCheckpoint = RequestMergeSinkIT.await(() -> jmx.tasks(name).values().stream().map(Task::lastError)
            .filter(error -> error.startsWith("bulk request of")).findFirst().orElse(null));
        scenario.check().note("the checkpoint met the outage: " + failedCheckpoint.replaceAll(": .*", ""));
        // Down for a few retries of that checkpoint, and past the next checkpoint's time.
        Waits.sleep(2 * CHECKPOINT_INTERVAL_MS);
        elasticsearch.restart();
        scenario.faultEnded("restart");

        scenario.check().note(() -> "at the end: " + describe(jmx.tasks(name)));
        scenario.check().verify(FaultScenario.TIMEOUT, scenario.topics, name, scenario.deadLetterTopic(),
            Arrays.asList(produced));
        scenario.awaitRunning();
        long checkpoints = jmx.sum(name, Task::checkpoints);
        assertTrue(checkpointsBefore > 0, "documents were written at checkpoints before the outage: " + checkpointsBefore);
        assertTrue(checkpoints > checkpointsBefore, "the checkpoint that met the outage completed after it: "
            + checkpointsBefore + " checkpoints before, " + checkpoints + " after; " + describe(jmx.tasks(name)));
    }

    /**
     * In a two-worker group, the worker of task 0 is frozen (SIGSTOP) while its task holds documents: the
     * group moves its partitions to the other worker's tasks (a consumer rebalance of tasks that hold
     * documents too), which read them again from the last checkpoint and write their documents; then the
     * frozen worker is thawed, and its task, a zombie now, writes or drops what it held (its writes meet
     * documents changed since, and conflict). Nothing is lost or counted twice.
     */
    @Test
    void workerFrozenWithHeldDocumentsHasItsPartitionsMovedAndItsZombieCountsNothingTwice() {
        // A group of its own; a departed worker's tasks are given to the other after 5 s (Connect's default: 5 min).
        group = ConnectWorker.startGroup(Stack.kafka(), 2, Map.of("scheduled.rebalance.max.delay.ms", "5000"));
        scenario = new FaultScenario("catchup-worker-frozen-with-held-documents", name, Stack.elasticsearch().url(),
            List.of(group.get(0).restUrl(), group.get(1).restUrl()), 79);
        catchUp(scenario.config, CHECKPOINT_INTERVAL_MS);
        scenario.config.put("consumer.override.session.timeout.ms", "10000");
        scenario.create();
        scenario.stream(Duration.ofSeconds(45));
        scenario.awaitRunning();
        ConnectRest rest = new ConnectRest(group.get(0).restUrl());
        String victimId = rest.status(name).path("tasks").path(0).path("worker_id").asText();
        ConnectWorker victim = group.stream().filter(worker -> worker.workerId().equals(victimId)).findFirst()
            .orElseThrow(() -> new AssertionError("task 0 runs on " + victimId + ", not in the group"));
        ConnectWorker survivor = group.get(0) == victim ? group.get(1) : group.get(0);
        SinkTaskJmx victimJmx = attach(victim);
        SinkTaskJmx survivorJmx = attach(survivor);

        // After a checkpoint of its own (offsets committed), with documents held again.
        Task frozen = RequestMergeSinkIT.await(() -> {
            Task task = victimJmx.tasks(name).get(0);
            return task != null && task.checkpoints() > 0 && task.heldDocuments() > 0 ? task : null;
        });
        victim.freeze();
        scenario.check().faultBegan();
        scenario.check().note("task 0 frozen holding " + frozen.heldDocuments() + " documents after "
            + frozen.checkpoints() + " checkpoints");
        // Until task 0 runs again on the survivor and has written documents of its partitions there: the frozen
        // copies of those documents are stale now.
        Map<Integer, Integer> mostPartitions = new HashMap<>();
        RequestMergeSinkIT.await(() -> {
            Map<Integer, Task> tasks = survivorJmx.tasks(name);
            tasks.values().forEach(task -> mostPartitions.merge(task.id(), task.assignedPartitions(), Math::max));
            Task moved = tasks.get(0);
            return moved != null && moved.checkpoints() > 0 ? Boolean.TRUE : null;
        });
        scenario.check().note("partitions moved: the survivor's tasks owned at most " + mostPartitions
            + " partitions while task 0 was frozen");
        victim.thaw();
        scenario.faultEnded("thaw");
        // The zombie's task writes what it held at once (its checkpoint is overdue), meets documents the survivor
        // wrote since, and rewinds; it is stopped, or moved back, moments later: reported, not asserted.
        rewindWatch = new RewindWatch(victimJmx, name, 0);
        RewindWatch zombie = rewindWatch;
        scenario.check().note(() -> "the thawed zombie task 0 reported " + zombie.most() + " rewinds");

        scenario.check().note(() -> "the survivor's tasks at the end: " + describe(survivorJmx.tasks(name)));
        scenario.verify();
        Map<Integer, Task> tasks = survivorJmx.tasks(name);
        long checkpoints = tasks.values().stream().mapToLong(Task::checkpoints).sum();
        assertTrue(checkpoints > 0, "the survivor's tasks wrote their documents at checkpoints: " + tasks);
    }

    /** Every batch counts as behind (the traffic's events are an hour old anyway), with checkpoints this far apart. */
    private static void catchUp(Map<String, String> config, long checkpointIntervalMs) {
        config.put("catchup.min.lag.ms", "0");
        config.put("catchup.checkpoint.interval.ms", String.valueOf(checkpointIntervalMs));
    }

    private SinkTaskJmx attach(ConnectWorker worker) {
        SinkTaskJmx jmx = SinkTaskJmx.attach(worker.pid());
        attached.add(jmx);
        return jmx;
    }

    /**
     * Waits until a task is seen writing a checkpoint, after one it completed (so offsets were committable):
     * its bulk requests grow while the documents it holds and its checkpoint count stay as they were (both
     * change only once the whole checkpoint is written; with every batch behind, bulk requests are sent at
     * checkpoints only).
     *
     * @return the moment, for the summary
     */
    private String awaitCheckpointBeingWritten(SinkTaskJmx jmx) {
        Map<Integer, Task> last = jmx.tasks(name);
        long deadline = System.nanoTime() + RequestMergeSinkIT.TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            Map<Integer, Task> now = jmx.tasks(name);
            for (Task task : now.values()) {
                Task before = last.get(task.id());
                if (before != null && before.checkpoints() > 0 && task.checkpoints() == before.checkpoints()
                        && task.heldDocuments() > 0 && task.bulkRequests() > before.bulkRequests()) {
                    return "killed while task " + task.id() + " wrote a checkpoint of " + task.heldDocuments()
                        + " documents (after " + task.checkpoints() + " checkpoints), other tasks holding "
                        + (heldBy(now) - task.heldDocuments());
                }
            }
            last = now;
            Waits.sleep(5);
        }
        throw new AssertionError("no checkpoint was seen being written within " + RequestMergeSinkIT.TIMEOUT + ": "
            + last);
    }

    /** @return per task, what the summary line reports of the catch-up path */
    private static String describe(Map<Integer, Task> tasks) {
        StringBuilder text = new StringBuilder();
        for (Task task : tasks.values()) {
            text.append(text.length() == 0 ? "" : "; ").append("task ").append(task.id()).append(' ')
                .append(task.checkpoints()).append(" checkpoints, ").append(task.rewinds()).append(" rewinds, ")
                .append(task.duplicates()).append(" events skipped as already counted");
        }
        return text.length() == 0 ? "no task" : text.toString();
    }

    private static long heldBy(Map<Integer, Task> tasks) {
        return tasks.values().stream().mapToLong(Task::heldDocuments).sum();
    }

    /**
     * The most checkpoint rewinds one task reported, read every few milliseconds in the background until
     * closed: for a task that lives only moments. The JMX connection is the watch's alone.
     */
    private static final class RewindWatch implements AutoCloseable {

        private final Thread thread;
        private volatile long most;
        private volatile boolean closed;

        RewindWatch(SinkTaskJmx jmx, String connector, int task) {
            thread = new Thread(() -> {
                while (!closed) {
                    try {
                        Task seen = jmx.tasks(connector).get(task);
                        if (seen != null) {
                            most = Math.max(most, seen.rewinds());
                        }
                    } catch (RuntimeException e) {
                        // The worker is busy or its connection broke: the measurement says what it saw.
                    }
                    Waits.sleep(10);
                }
            }, "rewind-watch-" + connector);
            thread.setDaemon(true);
            thread.start();
        }

        long most() {
            return most;
        }

        @Override
        public void close() {
            closed = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Splits the traffic in three, each in the timeline's order: every id's first two events with the bad
     * records that need no earlier event; then half of the rest; then the rest. Each id's events stay in
     * order, and a merge conflict after its id's first event, so the expected documents are unchanged.
     *
     * @return the events' indexes, per phase
     */
    private static List<List<Integer>> phases(List<RequestTimeline.Event> events) {
        List<Integer> first = new ArrayList<>();
        List<Integer> rest = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < events.size(); i++) {
            RequestTimeline.Event event = events.get(i);
            boolean early = event.isBad() ? event.bad() != RequestTimeline.Bad.MERGE_CONFLICT
                : seen.merge(event.id(), 1, Integer::sum) <= 2;
            (early ? first : rest).add(i);
        }
        int half = rest.size() / 2;
        return List.of(first, rest.subList(0, half), rest.subList(half, rest.size()));
    }

    private void produce(List<Integer> indexes, RecordMetadata[] produced) {
        List<RequestTimeline.Event> events = scenario.timeline.events();
        List<RequestTimeline.Event> phase = indexes.stream().map(events::get).toList();
        List<RecordMetadata> written = scenario.topics.produce(name, phase);
        for (int i = 0; i < indexes.size(); i++) {
            produced[indexes.get(i)] = written.get(i);
        }
    }
}
