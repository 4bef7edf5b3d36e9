package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.CliRun;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.TestArchive;

/**
 * {@code request-merge history} against a real S3 server and a real Elasticsearch node, on archives the tests
 * write themselves: each id's timeline ends in its live document (written by {@code replay}, the live
 * connector's merge) and in the merge the test computes independently; the document at a random time equals
 * an independent merge of the raw events up to that time; deltas, nested objects, out-of-order times, a
 * tombstone and rejected events are told event by event; an id the archive does not hold and a corrupt object
 * on the path are reported.
 */
@ExtendWith(Stack.class)
class HistoryCommandIT {

    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    @TempDir
    Path dir;

    private String name;
    private Documents documents;

    @BeforeEach
    void setUp(TestInfo test) {
        name = "hist-" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.substring(0, Math.min(name.length(), 40));
        documents = new Documents(Stack.elasticsearch().url());
    }

    /** @return the CLI's run, printed unless {@code quiet} */
    private static CliRun cli(boolean quiet, String... args) {
        CliRun run = CliRun.of(args);
        if (!quiet) {
            System.out.println(run);
        }
        return run;
    }

    private Map<String, String> sinkConfig(String topic) {
        Map<String, String> config = SinkConfigs.merging(name, topic);
        config.put("errors.tolerance", "all");
        config.put("errors.log.enable", "true");
        return config;
    }

    @Test
    void everyHistoryEndsInTheLiveDocumentAndPointsInTimeEqualAnIndependentMerge() throws IOException {
        String topic = name;
        RequestTimeline timeline = new RequestTimeline(300, 6, 3, 83, 2);
        List<TestArchive.Record> records = TestArchive.offsets(topic, timeline.events());
        Path archiveFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archive.writePlugin(records, 40);
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));
        CliRun replay = cli(false, "replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name);
        assertEquals(0, replay.exit(), replay.toString());

        List<String> args = new ArrayList<>(List.of("history", "--archive", archiveFile.toString(), "--sink",
            sinkFile.toString(), "--format", "json", "--time-slack", "0"));
        args.addAll(timeline.ids());
        CliRun all = cli(true, args.toArray(new String[0]));
        assertEquals(0, all.exit(), all.err());
        Map<String, JsonNode> histories = all.jsonById();
        assertEquals(300, histories.size());
        int narrowed = 0;
        long read = 0;
        long total = 0;
        for (String id : timeline.ids()) {
            JsonNode history = histories.get(id);
            assertEquals("[]", history.path("differences_from_live").toString(), id + ": " + history);
            assertEquals("the live document's offset marks", history.path("partition_from").asText());
            assertEquals(topic + "/" + timeline.partitionOf(id), history.path("partition").asText());
            assertTrue(timeline.matches(id, history.path("document")), id + ": " + history.path("document"));
            narrowed += history.path("narrowed").asBoolean() ? 1 : 0;
            read += history.path("objects_read").asLong();
            total += history.path("partition_objects").asLong();
        }
        // The marks and first-line timestamps keep most reads to a part of the partition.
        assertTrue(narrowed > 150, "narrowed " + narrowed);
        assertTrue(read < total, read + " of " + total);

        // 1,000 (id, time) pairs, 20 ids at each of 50 random times.
        Map<String, List<TestArchive.Record>> byId = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            TestArchive.Record record = records.get(i);
            if (record.key() != null) {
                byId.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(record);
            }
        }
        long first = records.stream().mapToLong(TestArchive.Record::timestamp).min().orElseThrow();
        long last = records.stream().mapToLong(TestArchive.Record::timestamp).max().orElseThrow();
        Random random = new Random(5);
        int compared = 0;
        int empty = 0;
        for (int round = 0; round < 50; round++) {
            long at = first - 2000 + (long) (random.nextDouble() * (last - first + 4000));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                ids.add(timeline.ids().get(random.nextInt(300)));
            }
            List<String> atArgs = new ArrayList<>(List.of("history", "--archive", archiveFile.toString(), "--sink",
                sinkFile.toString(), "--format", "json", "--at", Instant.ofEpochMilli(at).toString()));
            atArgs.addAll(ids);
            CliRun run = cli(true, atArgs.toArray(new String[0]));
            assertEquals(0, run.exit(), run.toString());
            Map<String, JsonNode> atHistories = run.jsonById();
            for (String id : ids) {
                ObjectNode expected = foldUpTo(byId.get(id), at);
                JsonNode actual = atHistories.get(id).path("document_at");
                compared++;
                if (expected == null) {
                    empty++;
                    assertTrue(actual.isNull(), id + " at " + at + ": " + actual);
                    continue;
                }
                ObjectNode stripped = ((ObjectNode) actual).deepCopy();
                stripped.remove("_merge");
                assertTrue(expected.equals(RequestTimeline.NUMERIC, stripped), id + " at " + Instant.ofEpochMilli(at)
                    + ": expected " + expected + " but was " + stripped);
            }
        }
        assertEquals(1000, compared);
        assertTrue(empty < 1000, "some documents exist at the times drawn");
    }

    /**
     * The merge of an id's raw records whose timestamp (the event time) is at or before {@code at}, in offset
     * order, computed here from the JSON alone: {@code +n}/{@code -n} strings are added, other values replace,
     * created/updated are the min/max times, and an event whose delta meets a field holding a string is
     * rejected as a whole. Records that are not JSON objects are rejected.
     *
     * @return the document, or null when no event is included
     */
    private static ObjectNode foldUpTo(List<TestArchive.Record> records, long at) throws IOException {
        ObjectNode doc = null;
        long created = Long.MAX_VALUE;
        long updated = Long.MIN_VALUE;
        for (TestArchive.Record record : records) {
            if (record.timestamp() > at) {
                continue;
            }
            JsonNode value;
            try {
                value = Documents.JSON.readTree(record.value());
            } catch (IOException e) {
                continue;
            }
            if (value == null || !value.isObject()) {
                continue;
            }
            ObjectNode next = doc == null ? NODES.objectNode() : doc.deepCopy();
            boolean rejected = false;
            for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> field = it.next();
                String text = field.getValue().isTextual() ? field.getValue().asText() : null;
                if (text != null && text.matches("[+-]\\d+(\\.\\d+)?")) {
                    JsonNode old = next.get(field.getKey());
                    if (old != null && !old.isNumber()) {
                        rejected = true;
                        break;
                    }
                    BigDecimal sum = (old == null ? BigDecimal.ZERO : old.decimalValue()).add(new BigDecimal(text));
                    next.put(field.getKey(), sum);
                } else {
                    next.set(field.getKey(), field.getValue());
                }
            }
            if (rejected) {
                continue;
            }
            doc = next;
            created = Math.min(created, record.timestamp());
            updated = Math.max(updated, record.timestamp());
        }
        if (doc != null) {
            doc.put("created_at", Instant.ofEpochMilli(created).toString());
            doc.put("updated_at", Instant.ofEpochMilli(updated).toString());
        }
        return doc;
    }

    @Test
    void aTimelineTellsDeltasNestedObjectsOutOfOrderTimesATombstoneAndRejectedEvents() throws IOException {
        String topic = name;
        String id = "abc123";
        int partitions = 3;
        int p = HistoryCommand.partitionOf(id, partitions);
        String other = otherIdOn(p, partitions, id);
        long t = Instant.parse("2026-11-27T10:00:00Z").toEpochMilli();
        List<TestArchive.Record> records = new ArrayList<>();
        List<String[]> values = List.of(
            new String[] {id, "{\"id\":\"abc123\",\"domain\":\"x.org\",\"clicks\":\"+1\",\"geo\":{\"city\":\"Lyon\"}}", "0"},
            new String[] {other, "{\"id\":\"" + other + "\",\"clicks\":\"+9\"}", "500"},
            new String[] {id, "{\"id\":\"abc123\",\"clicks\":\"+2\",\"geo\":{\"country\":\"FR\"}}", "3000"},
            new String[] {id, "{\"id\":\"abc123\",\"clicks\":\"+4\"}", "1000"},
            new String[] {id, "{\"id\":\"abc123\",\"domain\":\"+1\",\"clicks\":\"+100\"}", "4000"},
            new String[] {id, null, "5000"},
            new String[] {id, "{\"id\":\"abc123\",\"clicks\":\"+7\",\"sold\":true}", "6000"},
            new String[] {id, "{not json", "7000"},
            new String[] {other, "{\"id\":\"" + other + "\",\"clicks\":\"+1\"}", "8000"});
        for (int i = 0; i < values.size(); i++) {
            String[] v = values.get(i);
            records.add(new TestArchive.Record(topic, p, i, t + Long.parseLong(v[2]), v[0], v[1]));
        }
        // The other partitions exist in the archive: the partitioner counts them.
        for (int q = 0; q < partitions; q++) {
            if (q != p) {
                records.add(new TestArchive.Record(topic, q, 0, t, "elsewhere-" + q, "{\"clicks\":\"+1\"}"));
            }
        }
        Path archiveFile;
        String corruptKey = name + "/" + topic + "/partition=" + p + "/" + topic + "+" + p + "+0000000009.json.gz";
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archive.writePlugin(records, 2);
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));
        CliRun replay = cli(false, "replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name);
        assertEquals(0, replay.exit(), replay.toString());
        String[] base = {"history", "--archive", archiveFile.toString(), "--sink", sinkFile.toString()};

        CliRun table = cli(false, with(base, id));
        assertEquals(0, table.exit(), table.toString());
        String out = table.out();
        assertTrue(out.contains("from the live document's offset marks"), out);
        assertTrue(out.contains("2026-11-27T10:00:00Z      " + topic + "/" + p), out);
        assertTrue(out.contains("clicks = 1") && out.contains("domain = \"x.org\"") && out.contains("geo = {\"city\":\"Lyon\"}"),
            out);
        assertTrue(out.contains("clicks +2 = 3") && out.contains("geo.country = \"FR\""), out);
        assertTrue(out.contains("2026-11-27T10:00:01Z") && out.contains("merged: clicks +4 = 7"), out);
        assertTrue(out.contains("rejected (merge): topic " + topic + " partition " + p + " offset 4: id 'abc123': field "
            + "'domain': delta +1 on a field holding a string, not a number"), out);
        assertTrue(out.contains("tombstone: the document is deleted and starts over"), out);
        assertTrue(out.contains("clicks = 7") && out.contains("sold = true"), out);
        assertTrue(out.contains("rejected (value converter): "), out);
        assertTrue(out.contains("the final document equals the live document in " + name), out);

        Map<String, JsonNode> json = cli(false, with(base, "--format", "json", id)).jsonById();
        JsonNode history = json.get(id);
        assertEquals(7, history.path("events").size(), history.toString());
        assertEquals(List.of(0L, 2L, 3L, 4L, 5L, 6L, 7L), offsets(history.path("events")));
        assertEquals(7, history.path("document").path("clicks").asLong());
        assertEquals(documents.get(name, id), history.path("document"));

        // --at: before the first event, between events (the out-of-order event in, the later one out), after a
        // tombstone, after the last.
        JsonNode before = cli(false, with(base, "--format", "json", "--at", "2026-11-27T09:59:59Z", id))
            .jsonById().get(id);
        assertTrue(before.path("document_at").isNull(), before.toString());
        assertEquals("[]", before.path("included_offsets").toString());
        JsonNode between = cli(false, with(base, "--format", "json", "--at", "2026-11-27T10:00:02Z", id))
            .jsonById().get(id);
        assertEquals(List.of(0L, 3L), longs(between.path("included_offsets")));
        assertEquals(5, between.path("document_at").path("clicks").asLong());
        assertEquals("Lyon", between.path("document_at").path("geo").path("city").asText());
        assertTrue(between.path("document_at").path("geo").path("country").isMissingNode());
        assertEquals("2026-11-27T10:00:01Z", between.path("document_at").path("updated_at").asText());
        JsonNode deleted = cli(false, with(base, "--format", "json", "--at", "2026-11-27T10:00:05.500Z", id))
            .jsonById().get(id);
        assertTrue(deleted.path("document_at").isNull(), deleted.toString());
        CliRun after = cli(false, with(base, "--at", "2026-11-27T11:00:00Z", id));
        assertTrue(after.out().contains("at 2026-11-27T11:00:00Z: 5 of 7 events included (offsets 0, 2, 3, 5, 6"),
            after.out());
        JsonNode afterJson = cli(false, with(base, "--format", "json", "--at", "2026-11-27T11:00:00Z", id))
            .jsonById().get(id);
        assertEquals(history.path("document"), afterJson.path("document_at"));

        // Without a live document: Kafka's default partitioner finds the partition, which is read whole.
        documents.send("DELETE", "/" + name + "/_doc/" + other + "?refresh=true", null);
        JsonNode fallback = cli(false, with(base, "--format", "json", other)).jsonById().get(other);
        assertTrue(fallback.path("partition_from").asText().startsWith("Kafka's default partitioner"), fallback.toString());
        assertEquals(topic + "/" + p, fallback.path("partition").asText());
        assertEquals(10, fallback.path("document").path("clicks").asLong());
        assertEquals(fallback.path("partition_objects").asLong(), fallback.path("objects_read").asLong());

        // An id the archive does not hold.
        CliRun absent = cli(false, with(base, "nobody-here"));
        assertEquals(1, absent.exit(), absent.toString());
        assertTrue(absent.err().contains("'nobody-here' is not in the archive: no record of it in " + topic + "/"),
            absent.err());

        // A corrupt object on the path: reported by key and line, exit code 3.
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            byte[] good = TestArchive.line(new TestArchive.Record(topic, p, 9, t + 9000, id, "{\"clicks\":\"+1\"}"));
            ByteArrayOutputStream lines = new ByteArrayOutputStream();
            lines.writeBytes(good);
            lines.writeBytes("{not a record\n".getBytes(StandardCharsets.UTF_8));
            archive.put(corruptKey, TestArchive.gzip(lines.toByteArray()));
        }
        CliRun corrupt = cli(false, with(base, "--full", id));
        assertEquals(3, corrupt.exit(), corrupt.toString());
        assertTrue(corrupt.out().contains("problem     " + corruptKey + " line 2: not valid JSON"), corrupt.out());
    }

    private static String otherIdOn(int partition, int partitions, String not) {
        for (int i = 0;; i++) {
            String candidate = "other-" + i;
            if (!candidate.equals(not) && HistoryCommand.partitionOf(candidate, partitions) == partition) {
                return candidate;
            }
        }
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static List<Long> offsets(JsonNode events) {
        List<Long> offsets = new ArrayList<>();
        events.forEach(event -> offsets.add(event.path("offset").asLong()));
        return offsets;
    }

    private static List<Long> longs(JsonNode array) {
        List<Long> values = new ArrayList<>();
        array.forEach(value -> values.add(value.asLong()));
        assertNotNull(array);
        return values;
    }
}
