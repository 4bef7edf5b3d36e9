package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Stands in for the Connect worker around a task driven directly by a test (the worker-level tests
 * use a real worker): records what the task reported as bad, paused or asked for, and the offsets it
 * asked the consumer to seek to.
 */
final class TaskContext implements SinkTaskContext {

    /** A record reported to the error handler and why. */
    record Reported(SinkRecord record, Throwable error) {
    }

    final List<Reported> reported = new ArrayList<>();
    final Set<TopicPartition> assignment = new HashSet<>();
    final Set<TopicPartition> paused = new HashSet<>();
    /** Every {@code offset} call, in order: the partitions and offsets the task asked to read again from. */
    final List<Map<TopicPartition, Long>> offsets = new ArrayList<>();
    private final Map<String, String> configs;
    private final boolean withReporter;
    long timeout = -1;

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
    public void timeout(long timeoutMs) {
        timeout = timeoutMs;
    }

    @Override
    public Set<TopicPartition> assignment() {
        return assignment;
    }

    @Override
    public void pause(TopicPartition... partitions) {
        paused.addAll(List.of(partitions));
    }

    @Override
    public void resume(TopicPartition... partitions) {
        paused.removeAll(List.of(partitions));
    }

    @Override
    public void requestCommit() {
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
