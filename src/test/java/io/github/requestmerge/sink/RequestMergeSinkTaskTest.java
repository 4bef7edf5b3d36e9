package io.github.requestmerge.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.sink.SinkRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The task when Elasticsearch cannot be reached: backpressure, then a clear failure. */
class RequestMergeSinkTaskTest {

    /** Nothing listens on port 1 of the loopback address: every connection is refused at once. */
    private static final String UNREACHABLE = "http://127.0.0.1:1";

    private final RequestMergeSinkTask task = new RequestMergeSinkTask();
    private final TaskContext context = new TaskContext(Map.of(), true);

    @AfterEach
    void stop() {
        task.stop();
    }

    @Test
    void aFullBufferAsksConnectToPauseAndRedeliverLater() {
        start(Map.of(RequestMergeSinkConfig.BUFFER_MAX_EVENTS, "10", RequestMergeSinkConfig.FLUSH_MAX_EVENTS, "10",
            RequestMergeSinkConfig.RETRY_MAX_ATTEMPTS, "1000", RequestMergeSinkConfig.RETRY_BACKOFF_MS, "1000",
            RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS, "1000"));
        RetriableException e = assertThrows(RetriableException.class, () -> {
            for (int batch = 0; batch < 5; batch++) {
                task.put(records(batch * 10, 10));
            }
        });
        assertTrue(e.getMessage().contains("buffer.max.events=10"), e.getMessage());
        assertEquals(1000, context.timeout, "Connect retries the same batch after the backoff");
    }

    @Test
    void writesThatKeepFailingFailTheTaskAtTheNextPutWithTheCause() throws Exception {
        start(Map.of(RequestMergeSinkConfig.RETRY_MAX_ATTEMPTS, "2", RequestMergeSinkConfig.RETRY_BACKOFF_MS, "1",
            RequestMergeSinkConfig.FLUSH_LINGER_MS, "0"));
        task.put(records(0, 3));
        assertTrue(!task.flushAndDrain(), "the writer gave up");
        Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> committed =
            task.preCommit(Map.of(new TopicPartition("requests", 0), new org.apache.kafka.clients.consumer.OffsetAndMetadata(0)));
        assertTrue(committed.isEmpty(), "nothing acknowledged, nothing committed: " + committed);
        ConnectException e = assertThrows(ConnectException.class, () -> task.put(records(3, 1)));
        assertTrue(e.getMessage().startsWith("writing merged documents failed; the task stops and Connect will "
            + "redeliver from the last committed offsets: multi-get of "), e.getMessage());
        assertTrue(e.getMessage().contains(" documents from requests failed after 2 attempts: java.net.ConnectException"),
            e.getMessage());
    }

    @Test
    void anUnreachableClusterFailsTheStartWhenTheTemplateMustBeInstalled() {
        Map<String, String> config = new HashMap<>();
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, UNREACHABLE);
        config.put(RequestMergeSinkConfig.RETRY_MAX_ATTEMPTS, "1");
        task.initialize(context);
        ConnectException e = assertThrows(ConnectException.class, () -> task.start(config));
        assertTrue(e.getMessage().startsWith("could not install index template request-merge "
            + "(index.template.install=false skips it): installing index template request-merge failed after 1 attempt"),
            e.getMessage());
    }

    private void start(Map<String, String> overrides) {
        Map<String, String> config = new HashMap<>();
        config.put(RequestMergeSinkConfig.CONNECTION_URLS, UNREACHABLE);
        config.put(RequestMergeSinkConfig.TEMPLATE_INSTALL, "false");
        config.put(RequestMergeSinkConfig.INDEX_NAME, "requests");
        config.put(RequestMergeSinkConfig.FLUSH_TIMEOUT_MS, "2000");
        config.putAll(overrides);
        task.initialize(context);
        task.start(config);
    }

    private static List<SinkRecord> records(int from, int count) {
        List<SinkRecord> records = new ArrayList<>();
        for (int i = from; i < from + count; i++) {
            records.add(new SinkRecord("requests", 0, null, "id-" + i, null, Map.of("clicks", "+1"), i, 1_000L,
                TimestampType.CREATE_TIME));
        }
        return records;
    }
}
