package io.github.requestmerge.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;

/**
 * Reads the archive of Confluent's S3 sink configured as in {@code config/raw-archive-confluent-s3.json}
 * back into {@link RawRecord}s: each value line is the record's value as JSON ({@code JsonFormat} of the
 * {@code JsonConverter}'s schemaless value), stamped by {@code InsertField$Value} with the record's offset
 * and timestamp (and topic and partition); the line of the same number in the keys object beside it is
 * the record's key as a JSON string ({@code StringConverter} keys, {@code JsonFormat}).
 *
 * <p>The value given back is the line without the stamp fields, the other fields copied byte for byte in
 * their order; its timestamp type is {@code CreateTime}. The original bytes are not kept by that archive
 * (only what the JSON converter made of them), and neither are headers.
 *
 * <p>Stateless and thread-safe.
 */
public final class ConfluentJsonFormat {

    private static final JsonFactory JSON = new JsonFactory();

    private final ArchiveSource.Stamps stamps;

    public ConfluentJsonFormat(ArchiveSource.Stamps stamps) {
        this.stamps = stamps;
    }

    /**
     * @param topic the topic the object holds (from its name)
     * @param partition the partition the object holds (from its name)
     * @param keyLine the key line's buffer, or null when the archive stored no keys
     * @throws IllegalArgumentException saying what is wrong with the line (the caller adds where it is)
     */
    public RawRecord read(String topic, int partition, byte[] line, int from, int length, byte[] keyLine, int keyFrom,
                          int keyLength) {
        int end = from + length;
        Long offset = null;
        Long timestamp = null;
        boolean hasTimestamp = false;
        ByteArrayOutputStream value = new ByteArrayOutputStream(length);
        value.write('{');
        try (JsonParser parser = JSON.createParser(line, from, length)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            boolean first = true;
            JsonToken token = parser.nextToken();
            while (token == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                int fieldAt = from + (int) parser.currentTokenLocation().getByteOffset();
                JsonToken valueToken = parser.nextToken();
                boolean stamp = true;
                if (name.equals(stamps.offset())) {
                    if (valueToken != JsonToken.VALUE_NUMBER_INT) {
                        throw new IllegalArgumentException(name + " (the record's offset) must be a whole number");
                    }
                    offset = parser.getLongValue();
                } else if (name.equals(stamps.timestamp())) {
                    if (valueToken == JsonToken.VALUE_NUMBER_INT) {
                        timestamp = parser.getLongValue();
                    } else if (valueToken != JsonToken.VALUE_NULL) {
                        throw new IllegalArgumentException(name + " (the record's timestamp) must be epoch milliseconds");
                    }
                    hasTimestamp = true;
                } else if (name.equals(stamps.partition())) {
                    if (valueToken != JsonToken.VALUE_NUMBER_INT || parser.getIntValue() != partition) {
                        throw new IllegalArgumentException(name + " says partition " + parser.getText() + ", but the object "
                            + "holds partition " + partition);
                    }
                } else if (name.equals(stamps.topic())) {
                    if (valueToken != JsonToken.VALUE_STRING || !topic.equals(parser.getText())) {
                        throw new IllegalArgumentException(name + " names another topic than the object's, " + topic);
                    }
                } else {
                    stamp = false;
                }
                parser.skipChildren();
                token = parser.nextToken();
                if (!stamp) {
                    // The field runs to where the next one (or the closing brace) starts, less the comma between.
                    int next = from + (int) parser.currentTokenLocation().getByteOffset();
                    int fieldEnd = trimEnd(line, fieldAt, next);
                    if (!first) {
                        value.write(',');
                    }
                    value.write(line, fieldAt, fieldEnd - fieldAt);
                    first = false;
                }
            }
            if (token != JsonToken.END_OBJECT) {
                throw new IllegalArgumentException("not a JSON object");
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("more than one JSON value on the line");
            }
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("not valid JSON: " + e.getMessage());
        }
        if (offset == null) {
            throw new IllegalArgumentException("no " + stamps.offset() + " (the record's offset)");
        }
        value.write('}');
        byte[] key = keyLine == null ? null : key(keyLine, keyFrom, keyLength);
        return new RawRecord(topic, partition, offset, timestamp, hasTimestamp && timestamp != null ? "CreateTime"
            : "NoTimestampType", key, List.of(), value.toByteArray());
    }

    /** @return the key's bytes: the UTF-8 of the JSON string the line holds, or null for {@code null} */
    private static byte[] key(byte[] line, int from, int length) {
        try (JsonParser parser = JSON.createParser(line, from, length)) {
            JsonToken token = parser.nextToken();
            byte[] key;
            if (token == JsonToken.VALUE_NULL) {
                key = null;
            } else if (token == JsonToken.VALUE_STRING) {
                key = parser.getText().getBytes(StandardCharsets.UTF_8);
            } else {
                throw new IllegalArgumentException("the key line is not a JSON string or null");
            }
            if (parser.nextToken() != null) {
                throw new IllegalArgumentException("the key line holds more than one JSON value");
            }
            return key;
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("the key line is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new IllegalArgumentException("the key line is not valid JSON: " + e.getMessage());
        }
    }

    /** @return the end of a field's bytes in {@code [from, to)}: white space and the separating comma left out */
    private static int trimEnd(byte[] line, int from, int to) {
        int end = to;
        while (end > from && isSpace(line[end - 1])) {
            end--;
        }
        if (end > from && line[end - 1] == ',') {
            end--;
        }
        while (end > from && isSpace(line[end - 1])) {
            end--;
        }
        return end;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\r' || b == '\n';
    }
}
