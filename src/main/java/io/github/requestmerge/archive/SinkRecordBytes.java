package io.github.requestmerge.archive;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.header.Header;
import org.apache.kafka.connect.sink.SinkRecord;

import io.github.requestmerge.RecordOrigin;

/**
 * A sink record as the raw bytes it was produced with: key, value and headers must reach the task as
 * bytes (or null), which the ByteArrayConverter gives for all three. Anything else means a converter
 * that parsed them, so the archive could not hold them exactly: that is a configuration error, named
 * with the setting to fix. String headers (the worker's default header converter passes text through)
 * are taken as their UTF-8 bytes. Stateless.
 */
final class SinkRecordBytes {

    static final String BYTE_ARRAY_CONVERTER = "org.apache.kafka.connect.converters.ByteArrayConverter";

    private SinkRecordBytes() {
    }

    /** @throws ConnectException when the key, value or a header is not bytes */
    static RawRecord of(SinkRecord record) {
        String topic = RecordOrigin.topic(record);
        int partition = RecordOrigin.partition(record);
        long offset = RecordOrigin.offset(record);
        byte[] key = bytes(record.key(), record, "key", "key.converter");
        byte[] value = bytes(record.value(), record, "value", "value.converter");
        List<RawRecord.Header> headers = List.of();
        if (!record.headers().isEmpty()) {
            headers = new ArrayList<>(record.headers().size());
            for (Header header : record.headers()) {
                Object headerValue = header.value();
                byte[] bytes = headerValue instanceof String text ? text.getBytes(StandardCharsets.UTF_8)
                    : bytes(headerValue, record, "header '" + header.key() + "'", "header.converter");
                headers.add(new RawRecord.Header(header.key(), bytes));
            }
        }
        return new RawRecord(topic, partition, offset, record.timestamp(), record.timestampType().name, key, headers,
            value);
    }

    private static byte[] bytes(Object value, SinkRecord record, String what, String converterKey) {
        if (value == null || value instanceof byte[]) {
            return (byte[]) value;
        }
        if (value instanceof ByteBuffer buffer) {
            ByteBuffer copy = buffer.duplicate();
            byte[] bytes = new byte[copy.remaining()];
            copy.get(bytes);
            return bytes;
        }
        throw new ConnectException("topic " + RecordOrigin.topic(record) + " partition " + RecordOrigin.partition(record)
            + " offset " + RecordOrigin.offset(record) + ": the record's " + what + " is a " + value.getClass().getName()
            + ", not bytes. The raw archive keeps records exactly as produced: set " + converterKey + "="
            + BYTE_ARRAY_CONVERTER + " on the connector");
    }
}
