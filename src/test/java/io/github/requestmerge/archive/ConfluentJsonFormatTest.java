package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

class ConfluentJsonFormatTest {

    private static final ConfluentJsonFormat FORMAT = new ConfluentJsonFormat(
        new ArchiveSource.Stamps("_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp"));

    private static RawRecord read(String line, String key) {
        // Padding around the lines: the format must read from inside a larger buffer.
        byte[] value = ("xx" + line + "yy").getBytes(StandardCharsets.UTF_8);
        byte[] keys = key == null ? null : ("k" + key + "kk").getBytes(StandardCharsets.UTF_8);
        return FORMAT.read("requests", 3, value, 2, value.length - 4, keys, 1, key == null ? 0 : keys.length - 3);
    }

    @Test
    void theValueIsTheLineWithoutItsStampsAndTheKeyComesFromTheKeysLine() {
        RawRecord record = read("{\"id\":\"abc\",\"clicks\":\"+1\",\"price\":2.450,\"geo\":{\"a\":[1, 2]},"
            + "\"_kafka_topic\":\"requests\",\"_kafka_partition\":3,\"_kafka_offset\":42,\"_kafka_timestamp\":1764651127000}",
            "\"abc\"");
        assertEquals("{\"id\":\"abc\",\"clicks\":\"+1\",\"price\":2.450,\"geo\":{\"a\":[1, 2]}}",
            new String(record.value(), StandardCharsets.UTF_8));
        assertEquals(42, record.offset());
        assertEquals(1764651127000L, record.timestamp());
        assertEquals("CreateTime", record.timestampType());
        assertEquals("requests", record.topic());
        assertEquals(3, record.partition());
        assertArrayEquals("abc".getBytes(StandardCharsets.UTF_8), record.key());
    }

    @Test
    void stampsMayComeFirstOrBetweenFieldsWithSpaces() {
        RawRecord record = read("{ \"_kafka_offset\" : 7 , \"a\" : 1 ,\"_kafka_timestamp\":null, \"b\":\"x\" }", "null");
        assertEquals("{\"a\" : 1,\"b\":\"x\"}", new String(record.value(), StandardCharsets.UTF_8));
        assertNull(record.key());
        assertNull(record.timestamp());
        assertEquals("NoTimestampType", record.timestampType());
    }

    @Test
    void keysAreTheStringsUtf8Bytes() {
        RawRecord record = read("{\"_kafka_offset\":1,\"_kafka_timestamp\":5}", "\"caf\\u00e9\"");
        assertArrayEquals("café".getBytes(StandardCharsets.UTF_8), record.key());
        assertEquals("{}", new String(record.value(), StandardCharsets.UTF_8));
    }

    @Test
    void linesThatAreNotStampedObjectsAreRefusedWithTheReason() {
        assertEquals("not valid JSON: Unexpected character ('n' (code 110)): was expecting double-quote to start field name",
            assertThrows(IllegalArgumentException.class, () -> read("{not json", "\"a\"")).getMessage());
        assertEquals("not a JSON object",
            assertThrows(IllegalArgumentException.class, () -> read("[1,2]", "\"a\"")).getMessage());
        assertEquals("no _kafka_offset (the record's offset)",
            assertThrows(IllegalArgumentException.class, () -> read("{\"id\":\"a\"}", "\"a\"")).getMessage());
        assertEquals("_kafka_partition says partition 4, but the object holds partition 3",
            assertThrows(IllegalArgumentException.class, () -> read("{\"_kafka_partition\":4,\"_kafka_offset\":1}", "\"a\""))
                .getMessage());
        assertEquals("the key line is not a JSON string or null",
            assertThrows(IllegalArgumentException.class, () -> read("{\"_kafka_offset\":1}", "{}")).getMessage());
    }
}
