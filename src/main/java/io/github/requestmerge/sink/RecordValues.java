package io.github.requestmerge.sink;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.data.Timestamp;

/**
 * Turns a record value into the JSON-like map the merge takes: a schemaless map passes through;
 * a {@link Struct} becomes nested maps, with decimals as BigDecimal, dates and times as ISO-8601
 * strings and bytes as base64. Stateless and thread-safe.
 */
final class RecordValues {

    private RecordValues() {
    }

    /**
     * @return the value as a map
     * @throws IllegalArgumentException saying what was found when it is not an object
     */
    static Map<?, ?> toMap(Object value) {
        if (value instanceof Map) {
            return (Map<?, ?>) value;
        }
        if (value instanceof Struct) {
            return struct((Struct) value);
        }
        throw new IllegalArgumentException("the value must be a JSON object or a Struct, found "
            + (value instanceof String ? "a string" : value instanceof Number ? "a number"
            : value instanceof List ? "an array" : value.getClass().getSimpleName()));
    }

    private static Map<String, Object> struct(Struct struct) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (Field field : struct.schema().fields()) {
            Object value = struct.get(field);
            if (value != null) {
                map.put(field.name(), convert(value, field.schema()));
            }
        }
        return map;
    }

    private static Object convert(Object value, Schema schema) {
        if (value instanceof Struct) {
            return struct((Struct) value);
        }
        if (value instanceof BigDecimal) {
            return value;
        }
        if (value instanceof Date) {
            Date date = (Date) value;
            String name = schema == null ? null : schema.name();
            if (org.apache.kafka.connect.data.Date.LOGICAL_NAME.equals(name)) {
                return date.toInstant().toString().substring(0, 10);
            }
            if (org.apache.kafka.connect.data.Time.LOGICAL_NAME.equals(name)) {
                return date.toInstant().toString().substring(11);
            }
            // Timestamp, or a Date without a known logical type
            assert name == null || Timestamp.LOGICAL_NAME.equals(name);
            return date.toInstant().toString();
        }
        if (value instanceof byte[]) {
            return Base64.getEncoder().encodeToString((byte[]) value);
        }
        if (value instanceof ByteBuffer) {
            ByteBuffer buffer = ((ByteBuffer) value).duplicate();
            byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            return Base64.getEncoder().encodeToString(bytes);
        }
        if (value instanceof List) {
            List<Object> list = new ArrayList<>();
            Schema element = schema == null ? null : schema.valueSchema();
            for (Object item : (List<?>) value) {
                list.add(item == null ? null : convert(item, element));
            }
            return list;
        }
        if (value instanceof Map) {
            Map<String, Object> map = new LinkedHashMap<>();
            Schema element = schema == null ? null : schema.valueSchema();
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
                map.put(String.valueOf(entry.getKey()), entry.getValue() == null ? null : convert(entry.getValue(), element));
            }
            return map;
        }
        return value;
    }

    /** @return the value at a dotted path in nested maps, or null when a step is missing */
    static Object at(Map<?, ?> map, String[] path) {
        Object current = map;
        for (String segment : path) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<?, ?>) current).get(segment);
        }
        return current;
    }
}
