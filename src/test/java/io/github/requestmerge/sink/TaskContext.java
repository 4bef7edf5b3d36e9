package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.testing.FakeTaskContext;

/**
 * Stands in for the Connect worker around a task driven directly by a test (the worker-level tests
 * use a real worker): records what the task reported as bad, paused or asked for, and the offsets it
 * asked the consumer to seek to.
 */
final class TaskContext extends FakeTaskContext {

    /** A record reported to the error handler and why. */
    record Reported(SinkRecord record, Throwable error) {
    }

    final List<Reported> reported = new ArrayList<>();
    /** Every {@code offset} call, in order: the partitions and offsets the task asked to read again from. */
    final List<Map<TopicPartition, Long>> offsets = new ArrayList<>();
    private final Map<String, String> configs;
    private final boolean withReporter;

    TaskContext(Map<String, String> configs, boolean withReporter) {
        this.configs = configs;
        this.withReporter = withReporter;
    }

    @Override
    public Map<String, String> configs() {
        return configs;
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        this.offsets.add(Map.copyOf(offsets));
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
        offsets.add(Map.of(tp, offset));
    }

    @Override
    public ErrantRecordReporter errantRecordReporter() {
        if (!withReporter) {
            return null;
        }
        return new ErrantRecordReporter() {
            @Override
            public Future<Void> report(SinkRecord record, Throwable error) {
                synchronized (reported) {
                    reported.add(new Reported(record, error));
                }
                return CompletableFuture.completedFuture(null);
            }
        };
    }
}
