package io.github.requestmerge.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

/**
 * The archive's line format: one JSON object per record, with everything needed to replay it exactly.
 *
 * <pre>{@code
 * {"topic":"requests","partition":3,"offset":42,"timestamp":1764651127000,"timestamp_type":"CreateTime",
 *  "key":"abc123","headers":[{"key":"source","value":"web"}],"value":{"id":"abc123","clicks":"+1"}}
 * }</pre>
 *
 * <ul>
 *   <li>{@code key} and header values are JSON strings when their bytes are valid UTF-8, else
 *       {@code key_base64} / {@code value_base64} hold them in base64; null stays null.</li>
 *   <li>{@code value} embeds the record's value as it was produced, byte for byte, when it is valid
 *       UTF-8 JSON on one line (not the literal {@code null}, which would read as a tombstone), so the
 *       archive stays readable and queryable; any other value (a bad record, text, binary, JSON over
 *       several lines) is kept in {@code value_base64}. A tombstone is {@code "value":null}.</li>
 *   <li>{@code value} is always the last field, so a reader takes its raw bytes back exactly
 *       ({@link #read}), whatever their spacing or number formatting.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class RawRecordCodec {

    private static final JsonFactory JSON = new JsonFactory();
    private static final JsonStringEncoder ESCAPE = JsonStringEncoder.getInstance();
    private static final byte[] VALUE_FIELD = "\"value\":".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = "null".getBytes(StandardCharsets.US_ASCII);

    private RawRecordCodec() {
    }

    /** Appends the record to {@code out} as one line, ending in a newline. */
    public static void write(RawRecord record, ByteArrayOutputStream out) {
        ascii(out, "{\"topic\":");
        string(out, record.topic());
        ascii(out, ",\"partition\":" + record.partition() + ",\"offset\":" + record.offset() + ",\"timestamp\":"
            + record.timestamp() + ",\"timestamp_type\":");
        string(out, record.timestampType());
        bytesField(out, "key", record.key());
        if (!record.headers().isEmpty()) {
            ascii(out, ",\"headers\":[");
            for (int i = 0; i < record.headers().size(); i++) {
                RawRecord.Header header = record.headers().get(i);
                ascii(out, i == 0 ? "{\"key\":" : ",{\"key\":");
                string(out, header.key());
                bytesField(out, "value", header.value());
                out.write('}');
            }
            out.write(']');
        }
        byte[] value = record.value();
        if (value == null) {
            ascii(out, ",\"value\":null");
        } else if (isEmbeddableJson(value)) {
            out.write(',');
            out.writeBytes(VALUE_FIELD);
            out.writeBytes(value);
        } else {
            ascii(out, ",\"value_base64\":\"" + Base64.getEncoder().encodeToString(value) + "\"");
        }
        ascii(out, "}\n");
    }

    /** @return the record as one line, ending in a newline */
    public static byte[] write(RawRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + (record.value() == null ? 0 : record.value().length));
        write(record, out);
        return out.toByteArray();
    }

    /**
     * Reads one line (without or with its line ending).
     *
     * @throws IllegalArgumentException saying what is wrong with the line (the caller adds where it is)
     */
    public static RawRecord read(byte[] line, int from, int length) {
        int end = from + length;
        while (end > from && (line[end - 1] == '\n' || line[end - 1] == '\r')) {
            end--;
        }
        String topic = null;
        Integer partition = null;
        Long offset = null;
        Long timestamp = null;
        String timestampType = null;
        byte[] key = null;
        List<RawRecord.Header> headers = List.of();
        byte[] value = null;
        boolean hasValue = false;
        try (JsonParser parser = JSON.createParser(line, from, end - from)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            while (!hasValue && parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                long fieldAt = parser.currentTokenLocation().getByteOffset();
                JsonToken token = parser.nextToken();
                switch (field) {
                    case "topic" -> topic = parser.getValueAsString();
                    case "partition" -> partition = parser.getIntValue();
                    case "offset" -> offset = parser.getLongValue();
                    case "timestamp" -> timestamp = token == JsonToken.VALUE_NULL ? null : parser.getLongValue();
                    case "timestamp_type" -> timestampType = parser.getValueAsString();
                    case "key" -> key = utf8OrNull(parser, token);
                    case "key_base64" -> key = Base64.getDecoder().decode(parser.getValueAsString());
                    case "headers" -> headers = headers(parser, token);
                    case "value" -> {
                        value = rawValue(line, from + (int) fieldAt, end);
                        hasValue = true;
                    }
                    case "value_base64" -> {
                        value = Base64.getDecoder().decode(parser.getValueAsString());
                        hasValue = true;
                    }
                    default -> parser.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage()));
        }
        if (topic == null || partition == null || offset == null) {
            throw new IllegalArgumentException("a record line needs topic, partition and offset");
        }
        if (!hasValue) {
            throw new IllegalArgumentException("a record line needs a value or value_base64 (null for a tombstone)");
        }
        return new RawRecord(topic, partition, offset, timestamp, timestampType == null ? "NoTimestampType"
            : timestampType, key, headers, value);
    }

    /**
     * @return whether the bytes can be embedded as they are: one JSON value, valid UTF-8, on one line,
     *     and not the literal null (that would read as a tombstone)
     */
    static boolean isEmbeddableJson(byte[] bytes) {
        if (bytes.length == 0) {
            return false;
        }
        for (byte b : bytes) {
            if (b == '\n' || b == '\r' || b == 0) {
                return false;
            }
        }
        if (!isUtf8(bytes)) {
            return false;
        }
        try (JsonParser parser = JSON.createParser(bytes)) {
            JsonToken first = parser.nextToken();
            if (first == null || first == JsonToken.VALUE_NULL) {
                return false;
            }
            parser.skipChildren();
            // Exactly one value: anything after it ("1 2", "{} x") is not one JSON document.
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The value field's bytes: from after {@code "value":} to the line's closing brace. */
    private static byte[] rawValue(byte[] line, int fieldAt, int end) {
        int start = fieldAt + VALUE_FIELD.length;
        if (start > end || !Arrays.equals(line, fieldAt, start, VALUE_FIELD, 0, VALUE_FIELD.length)) {
            throw new IllegalArgumentException("\"value\": must be written without spaces, as the last field");
        }
        int close = end - 1;
        while (close > start && (line[close] == ' ' || line[close] == '\t')) {
            close--;
        }
        if (line[close] != '}') {
            throw new IllegalArgumentException("the line does not end with the record's closing brace");
        }
        byte[] raw = Arrays.copyOfRange(line, start, close);
        return Arrays.equals(raw, NULL) ? null : raw;
    }

    private static List<RawRecord.Header> headers(JsonParser parser, JsonToken token) throws IOException {
        if (token == JsonToken.VALUE_NULL) {
            return List.of();
        }
        if (token != JsonToken.START_ARRAY) {
            throw new IllegalArgumentException("headers must be an array");
        }
        List<RawRecord.Header> headers = new ArrayList<>();
        while (parser.nextToken() == JsonToken.START_OBJECT) {
            String name = null;
            byte[] value = null;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken valueToken = parser.nextToken();
                switch (field) {
                    case "key" -> name = parser.getValueAsString();
                    case "value" -> value = utf8OrNull(parser, valueToken);
                    case "value_base64" -> value = Base64.getDecoder().decode(parser.getValueAsString());
                    default -> parser.skipChildren();
                }
            }
            if (name == null) {
                throw new IllegalArgumentException("a header needs a key");
            }
            headers.add(new RawRecord.Header(name, value));
        }
        return headers;
    }

    private static byte[] utf8OrNull(JsonParser parser, JsonToken token) throws IOException {
        return token == JsonToken.VALUE_NULL ? null : parser.getText().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes {@code ,"<name>":...}: a string when the bytes are UTF-8 text, else base64, or null. */
    private static void bytesField(ByteArrayOutputStream out, String name, byte[] bytes) {
        if (bytes == null) {
            ascii(out, ",\"" + name + "\":null");
        } else if (isUtf8(bytes)) {
            ascii(out, ",\"" + name + "\":");
            string(out, new String(bytes, StandardCharsets.UTF_8));
        } else {
            ascii(out, ",\"" + name + "_base64\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"");
        }
    }

    private static boolean isUtf8(byte[] bytes) {
        // A fresh decoder each time: decoders are not thread-safe, and one is cheap next to the I/O.
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            decoder.decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void string(ByteArrayOutputStream out, String value) {
        out.write('"');
        out.writeBytes(ESCAPE.quoteAsUTF8(value));
        out.write('"');
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
