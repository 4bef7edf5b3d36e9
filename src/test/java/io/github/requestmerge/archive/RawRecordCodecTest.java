package io.github.requestmerge.archive;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class RawRecordCodecTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static RawRecord record(byte[] key, byte[] value, RawRecord.Header... headers) {
        return new RawRecord("requests", 3, 42, 1_764_651_127_000L, "CreateTime", key, List.of(headers), value);
    }

    private static String line(RawRecord record) {
        return new String(RawRecordCodec.write(record), StandardCharsets.UTF_8);
    }

    private static RawRecord roundTrip(RawRecord record) {
        byte[] line = RawRecordCodec.write(record);
        return RawRecordCodec.read(line, 0, line.length);
    }

    @Test
    void aJsonValueIsEmbeddedAsProducedAndReadBackByteForByte() {
        byte[] value = utf8("{\"id\":\"abc123\", \"price\":4.50,\"n\":1e2 }");
        RawRecord record = record(utf8("abc123"), value, new RawRecord.Header("source", utf8("web")));
        assertEquals("{\"topic\":\"requests\",\"partition\":3,\"offset\":42,\"timestamp\":1764651127000,"
            + "\"timestamp_type\":\"CreateTime\",\"key\":\"abc123\",\"headers\":[{\"key\":\"source\",\"value\":\"web\"}],"
            + "\"value\":{\"id\":\"abc123\", \"price\":4.50,\"n\":1e2 }}\n", line(record));
        RawRecord read = roundTrip(record);
        assertEquals(record, read);
        assertArrayEquals(value, read.value(), "spacing and number formats are kept");
    }

    @Test
    void valuesThatAreNotOneLineOfJsonAreKeptInBase64() {
        for (String text : List.of("{not json", "plain text", "{\"a\":1}\n{\"b\":2}", "{\n  \"pretty\": true\n}",
            "null", "1 2", "")) {
            RawRecord record = record(utf8("k"), utf8(text));
            assertTrue(line(record).contains("\"value_base64\":"), text);
            assertArrayEquals(utf8(text), roundTrip(record).value(), text);
        }
        byte[] binary = {(byte) 0xff, 0, 1, (byte) 0xc3};
        assertArrayEquals(binary, roundTrip(record(null, binary)).value());
    }

    @Test
    void nullsStayNullsAndATombstoneIsNotTheTextNull() {
        RawRecord tombstone = record(utf8("abc123"), null, new RawRecord.Header("h", null));
        assertTrue(line(tombstone).endsWith(",\"value\":null}\n"));
        RawRecord read = roundTrip(tombstone);
        assertNull(read.value());
        assertNull(read.headers().get(0).value());
        assertArrayEquals(utf8("null"), roundTrip(record(null, utf8("null"))).value());
        assertNull(roundTrip(record(null, utf8("{}"))).key());
    }

    @Test
    void keysAndHeadersThatAreNotUtf8AreKeptInBase64() {
        byte[] key = {(byte) 0xc3, (byte) 0x28};
        RawRecord record = record(key, utf8("{}"), new RawRecord.Header("bin", new byte[] {(byte) 0x80}));
        assertTrue(line(record).contains("\"key_base64\":\"wyg=\""), line(record));
        assertEquals(record, roundTrip(record));
    }

    @Test
    void textThatNeedsEscapingRoundTrips() {
        RawRecord record = record(utf8("quote\" back\\slash \n new line é 😀"), utf8("[\"é\",\"\\n\"]"),
            new RawRecord.Header("ü\"", utf8("tab\t")));
        assertEquals(record, roundTrip(record));
    }

    @Test
    void aLineInTheMiddleOfABufferIsReadFromItsOwnBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        List<RawRecord> records = new ArrayList<>();
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            byte[] value = random.nextInt(4) == 0 ? new byte[] {(byte) random.nextInt(256)}
                : utf8("{\"id\":\"r" + i + "\",\"clicks\":\"+" + random.nextInt(9) + "\"}");
            RawRecord record = new RawRecord("requests", i % 4, i, random.nextBoolean() ? null : (long) i, "CreateTime",
                utf8("r" + i), List.of(), value);
            records.add(record);
            RawRecordCodec.write(record, out);
        }
        byte[] all = out.toByteArray();
        int from = 0;
        for (RawRecord expected : records) {
            int end = from;
            while (all[end] != '\n') {
                end++;
            }
            assertEquals(expected, RawRecordCodec.read(all, from, end - from + 1));
            from = end + 1;
        }
    }

    @Test
    void unknownFieldsAreSkippedAndMissingOnesNamed() {
        byte[] line = utf8("{\"topic\":\"t\",\"partition\":0,\"offset\":7,\"later\":{\"x\":[1]},\"value\":{\"a\":1}}");
        assertEquals(7, RawRecordCodec.read(line, 0, line.length).offset());
        byte[] noOffset = utf8("{\"topic\":\"t\",\"partition\":0,\"value\":{}}");
        assertEquals("a record line needs topic, partition and offset",
            assertThrows(IllegalArgumentException.class, () -> RawRecordCodec.read(noOffset, 0, noOffset.length))
                .getMessage());
        byte[] broken = utf8("{\"topic\":\"t\",\"parti");
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RawRecordCodec.read(broken, 0, broken.length))
            .getMessage().startsWith("not valid JSON"));
    }
}
