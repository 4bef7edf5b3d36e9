package io.github.requestmerge.archive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.ErrantRecordReporter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTaskContext;

/**
 * Stands in for the Connect worker around an archive task driven directly by a test (the worker-level
 * tests use a real worker), and delivers records as the worker's consumer would: in batches, honouring
 * the seeks the task asks for. Records what the task paused and asked for.
 */
final class ArchiveTaskContext implements SinkTaskContext {

    final Set<TopicPartition> assignment = new HashSet<>();
    final Set<TopicPartition> paused = new HashSet<>();
    final Map<TopicPartition, Long> seeks = new HashMap<>();
    final List<Map<TopicPartition, Long>> seekHistory = new ArrayList<>();
    long timeout = -1;

    @Override
    public Map<String, String> configs() {
        return Map.of();
    }

    @Override
    public void offset(Map<TopicPartition, Long> offsets) {
        seeks.putAll(offsets);
    }

    @Override
    public void offset(TopicPartition tp, long offset) {
        if (!assignment.contains(tp)) {
            throw new IllegalStateException("seek of a partition not assigned: " + tp);
        }
        seeks.put(tp, offset);
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
        return null;
    }

    /**
     * The worker's loop over one partition's log: delivers {@code log} from {@code from} in batches of
     * {@code batch}, applying a seek the task asked for before the next batch (as the worker's rewind
     * does before its next poll), until the log is delivered to its end.
     *
     * @return how many puts it took
     */
    int deliver(RawArchiveSinkTask task, List<SinkRecord> log, long from, int batch) {
        long position = from;
        int puts = 0;
        while (true) {
            int start = indexOf(log, position);
            if (start >= log.size()) {
                return puts;
            }
            List<SinkRecord> records = log.subList(start, Math.min(log.size(), start + batch));
            task.put(new ArrayList<>(records));
            puts++;
            position = records.get(records.size() - 1).kafkaOffset() + 1;
            TopicPartition partition = new TopicPartition(records.get(0).topic(), records.get(0).kafkaPartition());
            Long seek = seeks.remove(partition);
            if (seek != null) {
                seekHistory.add(Map.of(partition, seek));
                position = seek;
            }
        }
    }

    private static int indexOf(List<SinkRecord> log, long offset) {
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).kafkaOffset() >= offset) {
                return i;
            }
        }
        return log.size();
    }
}
