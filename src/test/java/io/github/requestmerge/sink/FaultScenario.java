package io.github.requestmerge.sink;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

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
 * What every fault test does around its fault: a fresh topic, index and connector of one name
 * (two tasks, a dead letter queue with context headers, errors.tolerance=all), a
 * {@link StatusWatcher} on it from the moment it is created, keyed traffic with a few bad records
 * streamed in the background, and at the end the {@link FaultCheck} verdict. Closing it stops the
 * traffic and the watcher and deletes the connector, whatever happened.
 *
 * <p>Thread-safety: for the test's thread only.
 */
final class FaultScenario implements AutoCloseable {

    static final Duration TIMEOUT = Duration.ofSeconds(180);
    static final int PARTITIONS = 4;
    /** Bad records of each kind (null key, not JSON, JSON array, merge conflict) in the traffic. */
    private static final int BAD_OF_EACH_KIND = 3;

    final String name;
    final RequestTimeline timeline;
    final Topics topics;
    final Documents documents;
    /** The connector's configuration, to adjust before {@link #create()}. */
    final Map<String, String> config;
    private final List<String> restUrls;
    private final StatusWatcher watcher;
    private final FaultCheck check;
    private Topics.Stream stream;
    private boolean created;

    /**
     * @param fault the fault's name in the summary line, e.g. {@code elasticsearch-sigkill}
     * @param name the topic, index, connector and index template name
     * @param elasticsearchUrl the node the connector writes to and the check reads from
     * @param restUrls workers of the connector's Connect group; the first is asked to create it
     * @param seed makes the traffic reproducible
     */
    FaultScenario(String fault, String name, String elasticsearchUrl, List<String> restUrls, long seed) {
        this.name = name;
        this.restUrls = List.copyOf(restUrls);
        this.timeline = new RequestTimeline(800, 5, PARTITIONS, seed, BAD_OF_EACH_KIND);
        this.topics = new Topics(Stack.kafka().bootstrapServers());
        this.documents = new Documents(elasticsearchUrl);
        this.config = SinkConfigs.merging(name, name);
        config.put("connection.urls", elasticsearchUrl);
        config.put("tasks.max", "2");
        config.put("errors.tolerance", "all");
        config.put("errors.deadletterqueue.topic.name", deadLetterTopic());
        config.put("errors.deadletterqueue.topic.replication.factor", "1");
        config.put("errors.deadletterqueue.context.headers.enable", "true");
        this.watcher = StatusWatcher.watch(name, restUrls.toArray(new String[0]));
        this.check = new FaultCheck(fault, timeline, documents, name, watcher);
    }

    String deadLetterTopic() {
        return name + "-dlq";
    }

    /** Creates the topic and then the connector, through the REST API as a user does (PUT config). */
    void create() {
        topics.create(name, PARTITIONS);
        new ConnectRest(restUrls.get(0)).putConfig(name, config);
        created = true;
    }

    /** Waits until the connector and its tasks run (and fails at once if one FAILED). */
    void awaitRunning() {
        new ConnectRest(restUrls.get(0)).awaitRunning(name, Integer.parseInt(config.get("tasks.max")),
            RequestMergeSinkIT.TIMEOUT);
    }

    /** Starts producing the traffic in the background, spread over {@code over}. */
    void stream(Duration over) {
        stream = topics.stream(name, timeline.events(), over);
    }

    /**
     * Waits until {@code share} of the traffic was produced and at least {@code written} documents are
     * in the index: the moment a test breaks something, mid-stream and with work already done.
     */
    void awaitMidStream(double share, int written) {
        RequestMergeSinkIT.await(() -> stream.progress() >= share && documents.count(name) >= written ? Boolean.TRUE
            : null);
        check.note("fault began with " + stream.sent() + " of " + timeline.events().size() + " events produced");
        check.faultBegan();
    }

    /** Waits until every event was handed to the producer. */
    void awaitStreamed() {
        RequestMergeSinkIT.await(() -> stream.progress() >= 1 ? Boolean.TRUE : null);
    }

    FaultCheck check() {
        return check;
    }

    /** @see FaultCheck#faultEnded */
    void faultEnded(String how) {
        check.faultEnded(how);
    }

    /**
     * Waits for the rest of the traffic, then for the verdict (see {@link FaultCheck#verify}), and
     * last until the connector and all its tasks report RUNNING (a task's state reaches the status
     * topic a moment after the task started, so this waits up to a minute).
     */
    void verify() {
        check.verify(TIMEOUT, topics, name, deadLetterTopic(), stream.finish(TIMEOUT));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!allRunning(watcher.lastStatus())) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(name + ": the documents are right, but the connector does not run all its "
                    + "tasks: " + watcher.lastStatus());
            }
            Waits.sleep(250);
        }
        watcher.assertNothingFailed();
    }

    private boolean allRunning(JsonNode status) {
        if (status == null || !"RUNNING".equals(status.path("connector").path("state").asText())
            || status.path("tasks").size() != Integer.parseInt(config.get("tasks.max"))) {
            return false;
        }
        for (JsonNode task : status.path("tasks")) {
            if (!"RUNNING".equals(task.path("state").asText())) {
                return false;
            }
        }
        return true;
    }

    /** Stops the traffic and the watcher and deletes the connector, through any worker that answers. */
    @Override
    public void close() {
        if (stream != null) {
            stream.close();
        }
        watcher.close();
        if (!created) {
            return;
        }
        for (String url : restUrls) {
            try {
                new ConnectRest(url).delete(name);
                return;
            } catch (RuntimeException e) {
                // A worker that was killed: the next one deletes it.
            }
        }
    }
}
