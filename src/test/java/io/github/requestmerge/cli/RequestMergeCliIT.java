package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.archive.ArchiveLayout;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.CliRun;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.TestArchive;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;

/**
 * {@code request-merge replay} and {@code verify} against a real S3 server and a real Elasticsearch node,
 * on archives the tests write themselves in both layouts: the rebuilt documents equal a merge computed
 * independently by the test (and what the live connector wrote from the same records), verification
 * agrees with a right index and finds planted differences, and broken archives are reported by object
 * and line.
 */
@ExtendWith(Stack.class)
class RequestMergeCliIT {

    @TempDir
    Path dir;

    private String name;
    private Documents documents;

    @BeforeEach
    void setUp(TestInfo test) {
        name = "cli-" + test.getTestMethod().orElseThrow().getName().toLowerCase().replaceAll("[^a-z0-9]", "");
        name = name.substring(0, Math.min(name.length(), 40));
        documents = new Documents(Stack.elasticsearch().url());
    }

    /** One run of the tool, in this JVM. */
    record Run(int exit, String out, String err, JsonNode summary) {

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    private Run cli(String... args) throws IOException {
        Path summary = dir.resolve("summary-" + System.nanoTime() + ".json");
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--summary-json");
        all.add(summary.toString());
        CliRun ran = CliRun.of(all);
        JsonNode json = summary.toFile().exists() ? Documents.JSON.readTree(summary.toFile()) : null;
        Run run = new Run(ran.exit(), ran.out(), ran.err(), json);
        System.out.println(run);
        return run;
    }

    /** The sink's configuration as a user keeps it. */
    private Map<String, String> sinkConfig(String topic) {
        Map<String, String> config = SinkConfigs.merging(name, topic);
        config.put("tasks.max", "2");
        config.put("errors.tolerance", "all");
        // Without a dead letter queue, the error log is what lets a task report a bad record and go on.
        config.put("errors.log.enable", "true");
        return config;
    }

    /** @return per id, the duplicate mark its document must carry: the highest offset of its good events */
    private static Map<String, Map<String, Long>> marks(List<TestArchive.Record> records, List<RequestTimeline.Event> events) {
        Map<String, Map<String, Long>> marks = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            TestArchive.Record record = records.get(i);
            if (!events.get(i).isBad()) {
                marks.computeIfAbsent(record.key(), id -> new HashMap<>())
                    .merge(record.topic() + "/" + record.partition(), record.offset(), Math::max);
            }
        }
        return marks;
    }

    private static Map<String, Long> offsetsOf(JsonNode document) {
        Map<String, Long> offsets = new HashMap<>();
        document.path("_merge").path("offsets").fields().forEachRemaining(e -> offsets.put(e.getKey(), e.getValue().asLong()));
        return offsets;
    }

    private static List<String> texts(JsonNode array) {
        List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.asText()));
        return texts;
    }

    @Test
    void replayRebuildsTheIndependentMergeAndVerifyFindsWhatDiffers() throws IOException {
        String topic = name;
        RequestTimeline timeline = new RequestTimeline(300, 5, 3, 71, 2);
        List<TestArchive.Record> records = TestArchive.offsets(topic, timeline.events());
        Path archiveFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archive.writePlugin(records, 250);
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));
        String blue = name + "-blue";

        Run replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", blue,
            "--alias", name);
        assertEquals(0, replay.exit(), replay.toString());
        Map<String, JsonNode> rebuilt = documents.all(blue);
        assertEquals(List.of(), timeline.mismatches(rebuilt));
        Map<String, Map<String, Long>> marks = marks(records, timeline.events());
        for (String id : timeline.ids()) {
            assertEquals(marks.get(id), offsetsOf(rebuilt.get(id)), "_merge.offsets of " + id);
        }
        JsonNode summary = replay.summary();
        assertEquals(records.size(), summary.path("records").asLong());
        assertEquals(300, summary.path("written").asLong());
        // Two of each bad kind, rejected as the live connector rejects them.
        assertEquals(8, summary.path("rejected").asLong(), summary.toString());
        Map<String, Long> stages = new HashMap<>();
        summary.path("rejected_by_stage").fields().forEachRemaining(stage -> stages.put(stage.getKey(), stage.getValue().asLong()));
        assertEquals(Map.of("merge", 2L, "record", 4L, "value converter", 2L), stages);
        assertTrue(texts(summary.path("rejected_examples")).stream().anyMatch(example -> example.contains("record key: no id "
            + "(null)") && example.startsWith(name + "/" + topic + "/partition=")), summary.toString());
        assertEquals(List.of(blue), Documents.JSON.convertValue(documents.send("GET", "/_alias/" + name, null), Map.class)
            .keySet().stream().map(String::valueOf).collect(Collectors.toList()));

        // The index agrees with the archive, also when the documents take several passes.
        Run verify = cli("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", blue,
            "--max-documents", "70");
        assertEquals(0, verify.exit(), verify.toString());
        assertEquals(300, verify.summary().path("equal").asLong());
        assertTrue(verify.summary().path("passes").asInt() >= 5, verify.toString());

        // Planted: a counter changed, a document deleted, one added, and one of events the archive does not hold yet.
        String changed = timeline.ids().get(0);
        String deleted = timeline.ids().get(1);
        ObjectNode doc = (ObjectNode) rebuilt.get(changed).deepCopy();
        long clicks = doc.path("clicks").asLong();
        doc.put("clicks", clicks + 1);
        documents.send("PUT", "/" + blue + "/_doc/" + changed + "?refresh=true", doc.toString());
        documents.send("DELETE", "/" + blue + "/_doc/" + deleted + "?refresh=true", null);
        documents.send("PUT", "/" + blue + "/_doc/planted-extra?refresh=true", "{\"id\":\"planted-extra\",\"clicks\":1,"
            + "\"_merge\":{\"offsets\":{\"" + topic + "/0\":3}}}");
        documents.send("PUT", "/" + blue + "/_doc/planted-later?refresh=true", "{\"id\":\"planted-later\",\"clicks\":1,"
            + "\"_merge\":{\"offsets\":{\"" + topic + "/0\":999999}}}");
        verify = cli("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", blue);
        assertEquals(1, verify.exit(), verify.toString());
        JsonNode found = verify.summary();
        assertEquals(298, found.path("equal").asLong(), verify.toString());
        assertEquals(1, found.path("different").asLong(), verify.toString());
        assertEquals(1, found.path("missing").asLong(), verify.toString());
        assertEquals(1, found.path("extra").asLong(), verify.toString());
        assertEquals(1, found.path("not_vouched").asLong(), verify.toString());
        assertEquals(List.of("id '" + changed + "' in " + blue + ":\n        clicks: archive " + clicks + ", index "
            + (clicks + 1)), texts(found.path("differences")));
        assertEquals(List.of("'" + deleted + "'"), texts(found.path("missing_examples")));
        assertEquals(List.of("'planted-extra'"), texts(found.path("extra_examples")));
        assertTrue(texts(found.path("not_vouched_examples")).get(0).startsWith("'planted-later' (" + topic + "/0 offset 999999, "
            + "the archive ends at "), verify.toString());
        assertTrue(verify.out().contains("clicks: archive " + clicks + ", index " + (clicks + 1)), verify.out());
        // Just some ids: read with multi-gets instead of the whole index.
        verify = cli("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", blue,
            "--id", changed, "--id", deleted, "--id", timeline.ids().get(2));
        assertEquals(1, verify.exit(), verify.toString());
        assertEquals(2, verify.summary().path("compared").asLong(), verify.toString());
        assertEquals(1, verify.summary().path("different").asLong(), verify.toString());
        assertEquals(1, verify.summary().path("missing").asLong(), verify.toString());
        assertEquals(0, verify.summary().path("extra").asLong(), verify.toString());
        // Leaving the changed field out of the comparison, that document agrees.
        verify = cli("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", blue,
            "--ignore", "clicks");
        assertEquals(299, verify.summary().path("equal").asLong(), verify.toString());

        // Blue/green: a second replay takes the alias over, in one step.
        String green = name + "-green";
        replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", green,
            "--alias", name);
        assertEquals(0, replay.exit(), replay.toString());
        assertEquals(List.of(green), Documents.JSON.convertValue(documents.send("GET", "/_alias/" + name, null), Map.class)
            .keySet().stream().map(String::valueOf).collect(Collectors.toList()));
        assertEquals(List.of(blue), texts(replay.summary().path("alias_moved_from")));
        assertEquals(List.of(), timeline.mismatches(documents.all(green)));
    }

    @Test
    void confluentLayoutReplaysToTheSameDocuments() throws IOException {
        String topic = name;
        RequestTimeline timeline = new RequestTimeline(200, 4, 2, 72, 1);
        List<TestArchive.Record> records = TestArchive.offsets(topic, timeline.events());
        Path archiveFile;
        List<TestArchive.Record> archived;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archived = archive.writeConfluent(records, 150);
            archiveFile = archive.config(dir, TestArchive.CONFLUENT, topic);
        }
        // The JSON converter and the stamp refuse what is not a JSON object: Confluent's sink never archives those.
        assertEquals(records.size() - 2, archived.size());
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));

        // Their offsets are missing in the archive: a gap is reported, unless gaps are expected.
        Run strict = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name + "-x");
        assertEquals(3, strict.exit(), strict.toString());
        assertTrue(texts(strict.summary().path("archive_problem_examples")).get(0).matches(".*line \\d+: offsets \\d+\\.\\.\\d+ "
            + "of " + topic + "/\\d are missing \\(between .*"), strict.toString());
        assertEquals(0, documents.all(name + "-x").size(), "nothing written after the first problem");

        Run replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name,
            "--allow-gaps");
        assertEquals(0, replay.exit(), replay.toString());
        Map<String, JsonNode> rebuilt = documents.all(name);
        assertEquals(List.of(), timeline.mismatches(rebuilt));
        Map<String, Map<String, Long>> marks = marks(records, timeline.events());
        for (String id : timeline.ids()) {
            assertEquals(marks.get(id), offsetsOf(rebuilt.get(id)), "_merge.offsets of " + id);
        }
        // The null key and the merge conflict were archived and are rejected as the live connector rejects them.
        assertEquals(2, replay.summary().path("rejected").asLong(), replay.toString());

        // The plugin's own archive of the same records gives the very same documents.
        Path pluginFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name + "-plugin")) {
            archive.writePlugin(records, 150);
            pluginFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        replay = cli("replay", "--archive", pluginFile.toString(), "--sink", sinkFile.toString(), "--index", name + "-plugin");
        assertEquals(0, replay.exit(), replay.toString());
        assertEquals(rebuilt, documents.all(name + "-plugin"));
    }

    @Test
    void corruptObjectsAndLinesAreReportedWithKeyAndLine() throws IOException {
        String topic = name;
        List<TestArchive.Record> p0 = new ArrayList<>();
        List<TestArchive.Record> p1 = new ArrayList<>();
        long time = System.currentTimeMillis() - 60_000;
        for (int i = 0; i < 30; i++) {
            p0.add(new TestArchive.Record(topic, 0, i, time + i, "a" + i % 7, "{\"clicks\":\"+1\"}"));
        }
        for (int i = 0; i < 15; i++) {
            p1.add(new TestArchive.Record(topic, 1, i, time + i, "b" + i % 5, "{\"clicks\":\"+1\"}"));
        }
        String prefix = name + "/" + topic + "/";
        String a = prefix + "partition=0/" + topic + "+0+0000000000.json.gz";
        String b = prefix + "partition=0/" + topic + "+0+0000000010.json.gz";
        String c = prefix + "partition=0/" + topic + "+0+0000000020.json.gz";
        String d = prefix + "partition=1/" + topic + "+1+0000000000.json.gz";
        String e = prefix + "partition=1/" + topic + "+1+0000000005.json.gz";
        String f = prefix + "partition=1/" + topic + "+1+0000000015.json.gz";
        Path archiveFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archive.put(a, TestArchive.gzip(lines(p0.subList(0, 10))));
            byte[] whole = TestArchive.gzip(lines(p0.subList(10, 20)));
            archive.put(b, java.util.Arrays.copyOf(whole, whole.length / 2));
            ByteArrayOutputStream broken = new ByteArrayOutputStream();
            for (int i = 20; i < 30; i++) {
                if (i == 22) {
                    broken.writeBytes("{not json\n".getBytes(StandardCharsets.UTF_8));
                } else if (i == 24) {
                    broken.writeBytes(("{\"topic\":\"" + topic + "\",\"partition\":0,\"value\":{}}\n")
                        .getBytes(StandardCharsets.UTF_8));
                } else {
                    broken.writeBytes(TestArchive.line(p0.get(i)));
                }
            }
            archive.put(c, TestArchive.gzip(broken.toByteArray()));
            archive.put(d, TestArchive.gzip(lines(p1.subList(0, 10))));
            // Offsets 5..9 again, then 10..14.
            archive.put(e, TestArchive.gzip(lines(p1.subList(5, 15))));
            archive.put(f, new byte[0]);
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));

        Run skip = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name,
            "--on-error", "skip");
        assertEquals(3, skip.exit(), skip.toString());
        List<String> problems = texts(skip.summary().path("archive_problem_examples"));
        assertEquals(9, skip.summary().path("archive_problems").asLong(), skip.toString());
        assertTrue(problems.get(0).matches(java.util.regex.Pattern.quote(b) + " line \\d+: corrupt (after line \\d+|from its start): the gzip "
            + "stream ends early \\(truncated\\); the rest of the object is unreadable"), problems.toString());
        assertTrue(problems.get(1).startsWith(c + " line 3: not valid JSON: "), problems.toString());
        assertEquals(c + " line 5: a record line needs topic, partition and offset", problems.get(2));
        for (int i = 0; i < 5; i++) {
            assertEquals(e + " line " + (i + 1) + ": offset " + (5 + i) + " again (the archive went up to offset 9 at " + d
                + " line 10); not merged twice", problems.get(3 + i));
        }
        assertTrue(problems.get(8).startsWith(f + " line 1: corrupt: the gzip stream ends early"), problems.toString());
        // What could be read is merged: every readable record once.
        long readable = skip.summary().path("records").asLong();
        long clicks = documents.all(name).values().stream().mapToLong(doc -> doc.path("clicks").asLong()).sum();
        assertEquals(readable - 5, clicks, "records read, less the repeats not merged twice");

        Run fail = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name + "-f");
        assertEquals(3, fail.exit(), fail.toString());
        assertEquals(1, fail.summary().path("archive_problems").asLong());
        assertTrue(fail.out().contains(b + " line "), fail.out());
        assertEquals(0, documents.all(name + "-f").size(), "nothing written");
    }

    @Test
    void aTimeWindowLeavesWholePathsOfATimeLayoutUnread() throws IOException {
        String topic = name;
        long hour = 3_600_000L;
        long base = (System.currentTimeMillis() / hour - 5) * hour;
        ArchiveLayout layout = new ArchiveLayout(name, ArchiveLayout.Partitioning.TIME,
            "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH", java.time.ZoneOffset.UTC, hour);
        Map<String, ByteArrayOutputStream> objects = new LinkedHashMap<>();
        long[] offsets = new long[2];
        for (int h = 0; h < 3; h++) {
            for (int minute = 0; minute < 2; minute++) {
                for (int i = 0; i < 10; i++) {
                    int partition = i % 2;
                    long time = base + h * hour + minute * 60_000L + i;
                    TestArchive.Record record = new TestArchive.Record(topic, partition, offsets[partition]++, time, "w" + i,
                        "{\"clicks\":\"+1\"}");
                    String path = layout.prefix(topic) + layout.partitionPath(partition, time) + "/" + partition;
                    objects.computeIfAbsent(path, k -> new ByteArrayOutputStream()).writeBytes(TestArchive.line(record));
                    objects.computeIfAbsent(path + "#key", k -> new ByteArrayOutputStream());
                    if (objects.get(path + "#key").size() == 0) {
                        objects.get(path + "#key").writeBytes(layout.objectKey(topic, partition, record.offset(), time)
                            .getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        Map<String, String> archiveConfig;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            for (Map.Entry<String, ByteArrayOutputStream> object : objects.entrySet()) {
                if (!object.getKey().endsWith("#key")) {
                    archive.put(objects.get(object.getKey() + "#key").toString(StandardCharsets.UTF_8),
                        TestArchive.gzip(object.getValue().toByteArray()));
                }
            }
            archiveConfig = Documents.JSON.readValue(archive.config(dir, TestArchive.PLUGIN, topic).toFile(), Map.class);
        }
        archiveConfig.put("partitioner.class", "io.confluent.connect.storage.partitioner.TimeBasedPartitioner");
        archiveConfig.put("path.format", "'year'=YYYY/'month'=MM/'day'=dd/'hour'=HH");
        archiveConfig.put("partition.duration.ms", String.valueOf(hour));
        archiveConfig.put("timezone", "UTC");
        Path archiveFile = TestArchive.write(dir.resolve("archive.json"), archiveConfig);
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));

        // The middle hour: the objects of the first and the last are not even read.
        Run replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name,
            "--from", java.time.Instant.ofEpochMilli(base + hour).toString(),
            "--to", java.time.Instant.ofEpochMilli(base + 2 * hour).toString());
        assertEquals(0, replay.exit(), replay.toString());
        assertEquals(4, replay.summary().path("objects_skipped_by_time").asLong(), replay.toString());
        assertEquals(20, replay.summary().path("records").asLong(), replay.toString());
        Map<String, JsonNode> rebuilt = documents.all(name);
        assertEquals(10, rebuilt.size());
        for (JsonNode doc : rebuilt.values()) {
            assertEquals(2, doc.path("clicks").asInt(), doc.toString());
            assertTrue(doc.path("created_at").asText().startsWith(java.time.Instant.ofEpochMilli(base + hour).toString()
                .substring(0, 13)), doc.toString());
        }

        // From the middle of an hour: that hour's objects are read, and the records before the window left out.
        replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", name + "-late",
            "--from", Long.toString(base + 2 * hour + 30_000));
        assertEquals(0, replay.exit(), replay.toString());
        assertEquals(4, replay.summary().path("objects_skipped_by_time").asLong(), replay.toString());
        assertEquals(10, replay.summary().path("outside_time_window").asLong(), replay.toString());
        assertEquals(10, documents.all(name + "-late").values().stream().mapToInt(doc -> doc.path("clicks").asInt()).sum());
    }

    /**
     * Documents are written as soon as their partitions are read; ids whose records are in several partitions (not
     * keyed by id) change after that and are written again, and passes that give up documents already written
     * overwrite them: either way each ends as the whole merge of its records.
     */
    @Test
    void idsInSeveralPartitionsEndRightWhateverThePasses() throws IOException {
        String topic = name;
        java.util.Random random = new java.util.Random(5);
        List<TestArchive.Record> records = new ArrayList<>();
        long[] offsets = new long[3];
        Map<String, Long> clicks = new HashMap<>();
        Map<String, Map<String, Long>> marks = new HashMap<>();
        long time = System.currentTimeMillis() - 600_000;
        for (int i = 0; i < 3000; i++) {
            String id = "s" + random.nextInt(400);
            // Most ids keep to one partition; every tenth is spread over all three.
            int partition = Integer.parseInt(id.substring(1)) % 10 == 0 ? random.nextInt(3) : Integer.parseInt(id.substring(1)) % 3;
            long offset = offsets[partition]++;
            int n = 1 + random.nextInt(3);
            records.add(new TestArchive.Record(topic, partition, offset, time + i, id, "{\"clicks\":\"+" + n + "\"}"));
            clicks.merge(id, (long) n, Long::sum);
            marks.computeIfAbsent(id, k -> new HashMap<>()).merge(topic + "/" + partition, offset, Math::max);
        }
        Path archiveFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archive.writePlugin(records, 400);
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));
        for (String maxDocuments : new String[] {"1000", "60"}) {
            String index = name + "-" + maxDocuments;
            Run replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index", index,
                "--max-documents", maxDocuments);
            assertEquals(0, replay.exit(), replay.toString());
            assertEquals(0, replay.summary().path("refused").asLong(), replay.toString());
            assertTrue(replay.summary().path("rewritten").asLong() > 0, replay.toString());
            assertEquals(400 + replay.summary().path("rewritten").asLong(), replay.summary().path("written").asLong(),
                "each document written once, and once more for each time it changed after it was written");
            Map<String, JsonNode> rebuilt = documents.all(index);
            assertEquals(clicks.keySet(), rebuilt.keySet());
            for (Map.Entry<String, JsonNode> doc : rebuilt.entrySet()) {
                assertEquals(clicks.get(doc.getKey()).longValue(), doc.getValue().path("clicks").asLong(), doc.toString());
                assertEquals(marks.get(doc.getKey()), offsetsOf(doc.getValue()), doc.toString());
            }
        }
    }

    @Test
    void configurationErrorsNameTheFileAndTheKey() throws IOException {
        String topic = name;
        Path archiveFile;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
        }
        Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sinkConfig(topic));
        String[] base = {"replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString()};

        Run run = cli(with(base, "--set", "connection.urls=http://127.0.0.1:1"));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("request-merge: " + sinkFile + ": connection.urls: Elasticsearch at "
            + "http://127.0.0.1:1 (no authentication) does not answer now (java.net.ConnectException"), run.err());

        run = cli(with(base, "--set", "aws.secret.access.key=wrong"));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("request-merge: " + archiveFile + ": aws.secret.access.key: cannot list s3://"
            + Stack.s3().bucket() + " (" + Stack.s3().endpoint() + ", region us-east-1, access key "), run.err());
        assertTrue(run.err().contains("HTTP 403 SignatureDoesNotMatch"), run.err());

        run = cli(with(base, "--set", "s3.bucket.name=no-such-bucket"));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("request-merge: " + archiveFile + ": s3.bucket.name: cannot list s3://no-such-bucket"),
            run.err());
        assertTrue(run.err().contains("create the bucket, or correct s3.bucket.name"), run.err());

        run = cli(with(base, "--set", "store.url=http://127.0.0.1:1"));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("request-merge: " + archiveFile + ": store.url: cannot list s3://"), run.err());

        run = cli(with(base, "--set", "sink:key.converter="));
        assertEquals(2, run.exit(), run.toString());
        assertTrue(run.err().startsWith("request-merge: " + sinkFile + ": key.converter: is missing: without it the live "
            + "connector used the worker's key.converter"), run.err());
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(new String[0]);
    }

    private static byte[] lines(List<TestArchive.Record> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        records.forEach(record -> out.writeBytes(TestArchive.line(record)));
        return out.toByteArray();
    }

    @Test
    void replayEqualsTheLiveConnectorOnTheSameRecords() throws IOException {
        String topic = name;
        Topics topics = new Topics(Stack.kafka().bootstrapServers());
        ConnectRest connect = new ConnectRest(Stack.connect().restUrl());
        topics.create(topic, 3);
        RequestTimeline timeline = new RequestTimeline(200, 5, 3, 73, 1);
        List<RequestTimeline.Event> events = new ArrayList<>(timeline.events());
        // The issue's example, with an address and a user agent for the Enrich transform in the sink's chain.
        long now = System.currentTimeMillis() - 10_000;
        String ua = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 "
            + "Safari/537.36";
        events.add(new RequestTimeline.Event(0, "abc123", "{\"id\":\"abc123\",\"source\":2,\"ipaddress\":\"89.160.20.128\","
            + "\"useragent\":\"" + ua + "\",\"domain\":\"somewhere.net\",\"clicks\":\"+1\",\"impressions\":\"+5\","
            + "\"price\":2.45}", now));
        events.add(new RequestTimeline.Event(0, "abc123", "{\"id\":\"abc123\",\"clicks\":\"+3\",\"impressions\":\"+2\"}",
            now + 500));
        events.add(new RequestTimeline.Event(0, "abc123", "{\"id\":\"abc123\",\"impressions\":\"+2\",\"uptick\":4.50}",
            now + 900));
        Map<String, String> config = SinkConfigs.enriched(sinkConfig(topic));
        connect.putConfig(name, config);
        try {
            connect.awaitRunning(name, 2, Duration.ofSeconds(120));
            List<RecordMetadata> written = topics.produce(topic, events);
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (!timeline.mismatches(documents, name).isEmpty() || documents.get(name, "abc123") == null
                || documents.get(name, "abc123").path("impressions").asInt() != 9) {
                assertTrue(System.nanoTime() < deadline, "the live connector did not finish: "
                    + timeline.mismatches(documents, name).stream().limit(3).collect(Collectors.toList()));
                Waits.sleep(500);
            }
            Path archiveFile;
            try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
                archive.writePlugin(TestArchive.produced(topic, events, written), 100);
                archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
            }
            Path sinkFile = TestArchive.write(dir.resolve("sink.json"), config);
            Run replay = cli("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index",
                name + "-replayed");
            assertEquals(0, replay.exit(), replay.toString());
            Map<String, JsonNode> live = documents.all(name);
            Map<String, JsonNode> replayed = documents.all(name + "-replayed");
            assertEquals(201, live.size());
            assertEquals("Sweden", replayed.get("abc123").at("/geo/country_name").asText(), replayed.get("abc123").toString());
            assertEquals(live, replayed, "documents, times and marks exactly as the live connector wrote them");

            Run verify = cli("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString());
            assertEquals(0, verify.exit(), verify.toString());
            assertEquals(201, verify.summary().path("equal").asLong());
        } finally {
            connect.delete(name);
        }
    }
}
