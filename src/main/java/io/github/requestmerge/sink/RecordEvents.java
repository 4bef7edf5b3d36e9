package io.github.requestmerge.sink;

import java.util.Map;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.RecordOrigin;
import io.github.requestmerge.elastic.IndexNames;
import io.github.requestmerge.merge.Event;
import io.github.requestmerge.merge.EventTimes;
import io.github.requestmerge.merge.RequestIds;
import io.github.requestmerge.merge.StringPool;

/**
 * Turns a sink record into a {@link Pending} event: its id (record key or a value field), its
 * fields, its event time (record timestamp or a value field), its index and its source partition.
 * Keeps no state of its own (the string pool and index names are thread-safe): the task thread uses
 * it, and the replay's reader threads ({@link OfflineMerge}).
 */
final class RecordEvents {

    private final String[] idField;
    private final String[] timestampField;
    private final IndexNames indexNames;
    private final TombstoneBehavior tombstones;
    private final StringPool pool;

    RecordEvents(String[] idField, String[] timestampField, IndexNames indexNames, TombstoneBehavior tombstones,
                 StringPool pool) {
        this.idField = idField;
        this.timestampField = timestampField;
        this.indexNames = indexNames;
        this.tombstones = tombstones;
        this.pool = pool;
    }

    /**
     * @return the pending event, or null for a tombstone that is to be ignored
     * @throws BadRecordException naming the record and the problem
     */
    Pending convert(SinkRecord record) {
        TopicPartition partition = RecordOrigin.topicPartition(record);
        long offset = RecordOrigin.offset(record);
        String index = indexNames.forTopic(record.topic());
        if (record.value() == null) {
            switch (tombstones) {
                case IGNORE:
                    return null;
                case FAIL:
                    throw new BadRecordException(record, "a tombstone (null value), and "
                        + RequestMergeSinkConfig.MERGE_TOMBSTONE_BEHAVIOR + "=fail");
                default:
                    return new Pending(new DocKey(index, id(record, record.key(), "record key")), null, record,
                        partition, offset);
            }
        }
        Map<?, ?> fields;
        try {
            fields = RecordValues.toMap(record.value());
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(record, e.getMessage());
        }
        String id = idField == null
            ? id(record, record.key(), "record key")
            : id(record, RecordValues.at(fields, idField), "field '" + String.join(".", idField) + "'");
        long timestamp = eventTime(record, fields);
        Event event = new Event(id, fields, timestamp, pool.intern(Offsets.source(partition)), offset);
        return new Pending(new DocKey(index, id), event, record, partition, offset);
    }

    private static String id(SinkRecord record, Object value, String where) {
        try {
            return RequestIds.of(value);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(record, where + ": " + e.getMessage());
        }
    }

    private long eventTime(SinkRecord record, Map<?, ?> fields) {
        if (timestampField == null) {
            if (record.timestamp() == null) {
                throw new BadRecordException(record, "the record has no timestamp; set "
                    + RequestMergeSinkConfig.MERGE_TIMESTAMP_FIELD);
            }
            return record.timestamp();
        }
        Object value = RecordValues.at(fields, timestampField);
        if (value == null) {
            throw new BadRecordException(record, "field '" + String.join(".", timestampField) + "' (event time) is missing");
        }
        try {
            return EventTimes.parse(value);
        } catch (IllegalArgumentException e) {
            throw new BadRecordException(record, "field '" + String.join(".", timestampField) + "': " + e.getMessage());
        }
    }
}
