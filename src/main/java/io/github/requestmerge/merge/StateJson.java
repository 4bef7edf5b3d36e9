package io.github.requestmerge.merge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

/**
 * The stored form of a {@link MergedState}: one JSON document holding the merged fields, the
 * created/updated times as ISO-8601 UTC strings, and a metadata object with the duplicate mark of
 * each source, e.g. {@code "_merge": {"offsets": {"requests/0": 41}}}. Writing and reading are exact
 * inverses, so a document read back from Elasticsearch merges on as if it had never left the cache.
 * Thread-safe.
 */
public final class StateJson {

    static final String OFFSETS = "offsets";

    /**
     * The mapper to parse stored documents with before {@link #read}: decimals as written, trailing zeros
     * kept ({@code 1.0} stays {@code 1.0}, not {@code 1}), so a document read back and written again is
     * byte for byte the one a merge that never left the cache would write.
     */
    public static final ObjectMapper READER = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private static final JsonFactory JSON = JsonFactory.builder()
        .enable(com.fasterxml.jackson.core.StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

    private final MergeRules rules;
    private final StringPool pool;

    public StateJson(MergeRules rules, StringPool pool) {
        this.rules = rules;
        this.pool = pool;
    }

    /** @return the document as UTF-8 JSON */
    public byte[] write(MergedState state) {
        // Most documents are under 1 KB: one buffer, no growing.
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            write(state, json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the document as one JSON object. */
    public void write(MergedState state, JsonGenerator json) throws IOException {
        json.writeStartObject();
        writeFields(state.fields(), json);
        if (state.createdAt() != MergedState.NO_TIME) {
            json.writeStringField(rules.createdField(), IsoInstants.format(state.createdAt()));
            json.writeStringField(rules.updatedField(), IsoInstants.format(state.updatedAt()));
        }
        json.writeObjectFieldStart(rules.metadataField());
        json.writeObjectFieldStart(OFFSETS);
        for (int i = 0; i < state.sourceCount(); i++) {
            json.writeNumberField(state.source(i), state.offset(i));
        }
        json.writeEndObject();
        json.writeEndObject();
        json.writeEndObject();
    }

    private static void writeFields(Node node, JsonGenerator json) throws IOException {
        for (int i = 0; i < node.size(); i++) {
            json.writeFieldName(node.name(i));
            writeValue(node.value(i), json);
        }
    }

    private static void writeValue(Object value, JsonGenerator json) throws IOException {
        if (value instanceof String) {
            json.writeString((String) value);
        } else if (value instanceof Long) {
            json.writeNumber((Long) value);
        } else if (value instanceof Double) {
            json.writeNumber((Double) value);
        } else if (value instanceof BigDecimal) {
            json.writeNumber((BigDecimal) value);
        } else if (value instanceof Boolean) {
            json.writeBoolean((Boolean) value);
        } else if (value instanceof Node) {
            json.writeStartObject();
            writeFields((Node) value, json);
            json.writeEndObject();
        } else if (value instanceof List) {
            json.writeStartArray();
            for (Object element : (List<?>) value) {
                writeValue(element, json);
            }
            json.writeEndArray();
        } else {
            throw new IllegalStateException("unexpected stored type " + value.getClass().getName());
        }
    }

    /**
     * @param written a document as {@link #write} wrote it
     * @param stored a stored document, as parsed by {@link #READER}
     * @return whether the stored document is the one written: the same fields and values, decimals as written
     */
    public static boolean sameDocument(byte[] written, JsonNode stored) {
        try {
            return READER.readTree(written).equals(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("a written document is not valid JSON", e);
        }
    }

    /**
     * Reads a stored document back, as parsed by {@link #READER}.
     *
     * @throws IllegalArgumentException when the document is not an object, or its times or marks
     *     are malformed (someone else wrote it)
     */
    public MergedState read(JsonNode document) {
        if (!document.isObject()) {
            throw new IllegalArgumentException("a stored document must be a JSON object, found " + document.getNodeType());
        }
        MergedState state = new MergedState(document.size());
        Node fields = state.fields();
        Iterator<Map.Entry<String, JsonNode>> entries = document.fields();
        while (entries.hasNext()) {
            Map.Entry<String, JsonNode> entry = entries.next();
            String name = entry.getKey();
            if (!rules.reserved(name) && !entry.getValue().isNull()) {
                // Names in a JSON object node are unique: add without looking them up.
                fields.add(pool.intern(name), value(entry.getValue()));
            }
        }
        long created = time(document, rules.createdField());
        long updated = time(document, rules.updatedField());
        if (created != MergedState.NO_TIME || updated != MergedState.NO_TIME) {
            state.times(created == MergedState.NO_TIME ? updated : created, updated == MergedState.NO_TIME ? created : updated);
        }
        JsonNode offsets = document.path(rules.metadataField()).path(OFFSETS);
        Iterator<Map.Entry<String, JsonNode>> marks = offsets.fields();
        while (marks.hasNext()) {
            Map.Entry<String, JsonNode> mark = marks.next();
            if (!mark.getValue().canConvertToLong()) {
                throw new IllegalArgumentException(rules.metadataField() + "." + OFFSETS + "." + mark.getKey()
                    + " must be an offset, found " + mark.getValue().getNodeType());
            }
            state.mark(pool.intern(mark.getKey()), mark.getValue().longValue());
        }
        state.trim();
        return state;
    }

    private static long time(JsonNode document, String field) {
        JsonNode value = document.get(field);
        if (value == null || value.isNull()) {
            return MergedState.NO_TIME;
        }
        if (value.isIntegralNumber()) {
            return value.longValue();
        }
        try {
            return IsoInstants.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(field + " must be an ISO-8601 instant, found '" + value.asText() + "'");
        }
    }

    private Object value(JsonNode node) {
        switch (node.getNodeType()) {
            case STRING:
                return pool.intern(node.textValue());
            case BOOLEAN:
                return node.booleanValue();
            case NUMBER:
                if (node.isIntegralNumber()) {
                    return node.canConvertToLong() ? (Object) node.longValue() : new BigDecimal(node.bigIntegerValue());
                }
                return node.isBigDecimal() ? node.decimalValue() : (Object) node.doubleValue();
            case OBJECT: {
                Node object = new Node(node.size());
                Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
                while (entries.hasNext()) {
                    Map.Entry<String, JsonNode> entry = entries.next();
                    if (!entry.getValue().isNull()) {
                        object.add(pool.intern(entry.getKey()), value(entry.getValue()));
                    }
                }
                return object;
            }
            case ARRAY: {
                List<Object> list = new ArrayList<>(node.size());
                for (JsonNode element : node) {
                    if (!element.isNull()) {
                        list.add(value(element));
                    }
                }
                return Collections.unmodifiableList(list);
            }
            default:
                throw new IllegalArgumentException("unsupported JSON value " + node.getNodeType());
        }
    }
}
