package io.github.requestmerge.sink;

import org.apache.kafka.connect.errors.DataException;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.RecordOrigin;

/**
 * A record that cannot be merged. The message names the record by topic, partition and offset (and
 * the id and field when known), never by its content, which is personal data.
 */
public final class BadRecordException extends DataException {

    public BadRecordException(SinkRecord record, String problem) {
        super(where(record) + ": " + problem);
    }

    public BadRecordException(SinkRecord record, String problem, Throwable cause) {
        super(where(record) + ": " + problem, cause);
    }

    static String where(SinkRecord record) {
        return "topic " + RecordOrigin.topic(record) + " partition " + RecordOrigin.partition(record) + " offset "
            + RecordOrigin.offset(record);
    }
}
