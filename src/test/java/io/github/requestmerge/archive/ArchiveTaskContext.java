package io.github.requestmerge.archive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.testing.FakeTaskContext;

/**
 * Stands in for the Connect worker around an archive task driven directly by a test (the worker-level
 * tests use a real worker), and delivers one partition's records as the worker's loop would: in batches
 * from the consumer's position, honouring the seeks the task asks for. Records what the task paused and
 * asked for.
 */
final class ArchiveTaskContext extends FakeTaskContext {

    final Map<TopicPartition, Long> seeks = new HashMap<>();
    final List<Map<TopicPartition, Long>> seekHistory = new ArrayList<>();
    /** The simulated consumer's position in a one-partition log (the committed offset, at first). */
    private long position;

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

    /**
     * One iteration of the worker's loop over one partition's log: applies a seek the task asked for (as
     * the worker's rewind does before its next poll), then puts up to {@code max} records from the
     * consumer's position, but none at or beyond {@code end} (what the broker holds so far) and none while
     * the partition is paused; an empty put when there are none, as the worker makes between polls.
     *
     * @return how many records were put
     */
    int step(RawArchiveSinkTask task, List<SinkRecord> log, int end, int max) {
        for (Map.Entry<TopicPartition, Long> seek : seeks.entrySet()) {
            seekHistory.add(Map.of(seek.getKey(), seek.getValue()));
            position = seek.getValue();
        }
        seeks.clear();
        List<SinkRecord> records = new ArrayList<>();
        for (SinkRecord record : log.subList(0, end)) {
            boolean fetched = !paused.contains(new TopicPartition(record.topic(), record.kafkaPartition()));
            if (fetched && record.kafkaOffset() >= position && records.size() < max) {
                records.add(record);
            }
        }
        task.put(records);
        if (!records.isEmpty()) {
            position = records.get(records.size() - 1).kafkaOffset() + 1;
        }
        return records.size();
    }

    /** @return the offset of the next record the simulated consumer fetches */
    long position() {
        return position;
    }
}
