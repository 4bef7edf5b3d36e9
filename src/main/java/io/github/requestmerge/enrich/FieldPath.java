package io.github.requestmerge.enrich;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.data.Struct;

/**
 * A dotted path to a field of a record value, such as {@code client.ip}, resolved against a
 * schemaless value (nested {@link Map}s) or a {@link Struct}. Immutable and thread-safe.
 */
final class FieldPath {

    private final String path;
    private final String[] segments;

    private FieldPath(String path, String[] segments) {
        this.path = path;
        this.segments = segments;
    }

    /**
     * Parses a dotted path. Used both by the config validator and at runtime, so a path the
     * validator accepts is one the transform can use.
     *
     * @throws IllegalArgumentException naming the problem when the path is blank or has an empty segment
     */
    static FieldPath parse(String path) {
        if (path == null || path.isBlank()) {
            throw new IllegalArgumentException("must name a field, e.g. 'ipaddress' or 'client.ip'");
        }
        String[] segments = path.trim().split("\\.", -1);
        for (String segment : segments) {
            if (segment.isEmpty()) {
                throw new IllegalArgumentException("'" + path + "' has an empty segment; use dots only between field names");
            }
        }
        return new FieldPath(path.trim(), segments);
    }

    List<String> segments() {
        return Arrays.asList(segments);
    }

    /** @return the value at this path in nested maps, or null when any step is missing or not a map */
    Object get(Map<?, ?> value) {
        Object current = value;
        for (String segment : segments) {
            if (!(current instanceof Map)) {
                return null;
            }
            current = ((Map<?, ?>) current).get(segment);
        }
        return current;
    }

    /** @return the value at this path in a struct, or null when the schema has no such field */
    Object get(Struct value) {
        Object current = value;
        for (String segment : segments) {
            if (!(current instanceof Struct)) {
                return null;
            }
            Struct struct = (Struct) current;
            Field field = struct.schema().field(segment);
            if (field == null) {
                return null;
            }
            current = struct.get(field);
        }
        return current;
    }

    /** @return the schema of the field at this path, or null when the schema has no such field */
    Schema schemaIn(Schema schema) {
        Schema current = schema;
        for (String segment : segments) {
            if (current == null || current.type() != Schema.Type.STRUCT) {
                return null;
            }
            Field field = current.field(segment);
            current = field == null ? null : field.schema();
        }
        return current;
    }

    @Override
    public String toString() {
        return path;
    }
}
