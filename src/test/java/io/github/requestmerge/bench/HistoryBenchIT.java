package io.github.requestmerge.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.archive.ArchiveLayout;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.RawRecordCodec;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.CliRun;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.SinkConfigs;
import io.github.requestmerge.testing.TestArchive;

/**
 * Benchmark of {@code request-merge history} on an archive of 1,000,000 events of 100,000 requests over 4
 * partitions, written straight into the stack's S3 server in the archive connector's layout (records in
 * produce-time order, each request's ten events within ten minutes, its times spread over about 14 hours,
 * up to 2 s out of order; {@code bench.history.per.object} records per object). The live documents of the
 * sampled ids are written by {@code replay --id} (the live connector's merge). Then, for each sampled id,
 * {@code history} and {@code history --at} run in this JVM (after one warm-up id), timed from the call to
 * its return, with the objects and bytes they read. Then, for five of them, both again as a user runs them:
 * {@code bin/request-merge} in a fresh JVM, timed from the process's start to its exit. Run with
 * {@code bin/bench-history}; results on stdout.
 */
@EnabledIfSystemProperty(named = "bench.history", matches = "true")
@ExtendWith(Stack.class)
class HistoryBenchIT {

    private static final int EVENTS = Integer.getInteger("bench.history.events", 1_000_000);
    private static final int IDS = Integer.getInteger("bench.history.ids", 100_000);
    private static final int PARTITIONS = 4;
    private static final int PER_OBJECT = Integer.getInteger("bench.history.per.object", 25_000);
    private static final int SAMPLES = 10;
    private static final int COLD_SAMPLES = 5;

    @TempDir
    Path dir;

    @Test
    void historyOfOneIdReadsASmallFractionOfTheArchive() throws Exception {
        String name = "bench-history";
        String topic = name;
        Random random = new Random(11);
        long base = Instant.parse("2026-11-27T00:00:00Z").toEpochMilli();
        int perId = EVENTS / IDS;
        long span = 14L * 3600 * 1000;
        long[] times = new long[IDS * perId];
        int[] owners = new int[IDS * perId];
        Integer[] order = new Integer[IDS * perId];
        for (int id = 0, n = 0; id < IDS; id++) {
            long start = base + (long) (random.nextDouble() * span);
            for (int e = 0; e < perId; e++, n++) {
                times[n] = start + random.nextInt(600_000);
                owners[n] = id;
                order[n] = n;
            }
        }
        Arrays.sort(order, (a, b) -> Long.compare(times[a], times[b]));
        long write = System.nanoTime();
        ArchiveLayout layout = ArchiveLayout.byPartition(name);
        long[] offsets = new long[PARTITIONS];
        List<List<byte[]>> chunks = new ArrayList<>();
        long[] chunkStart = new long[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            chunks.add(new ArrayList<>());
        }
        long stored = 0;
        int objects = 0;
        try (TestArchive archive = new TestArchive(Stack.s3(), name)) {
            for (int i = 0; i < order.length; i++) {
                int n = order[i];
                String id = "req-" + owners[n];
                int p = Utils.toPositive(Utils.murmur2(id.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
                // Produce time: the event time, up to 2 s late.
                long timestamp = times[n] + random.nextInt(2000);
                String value = "{\"id\":\"" + id + "\",\"clicks\":\"+1\",\"impressions\":\"+" + (1 + random.nextInt(5))
                    + "\"" + (random.nextInt(10) == 0 ? ",\"domain\":\"d" + random.nextInt(50) + ".example\"" : "") + "}";
                if (chunks.get(p).isEmpty()) {
                    chunkStart[p] = offsets[p];
                }
                chunks.get(p).add(RawRecordCodec.write(new RawRecord(topic, p, offsets[p]++, timestamp, "CreateTime",
                    id.getBytes(StandardCharsets.UTF_8), List.of(), value.getBytes(StandardCharsets.UTF_8))));
                if (chunks.get(p).size() == PER_OBJECT) {
                    stored += flush(archive, layout, topic, p, chunkStart[p], chunks.get(p));
                    objects++;
                }
            }
            for (int p = 0; p < PARTITIONS; p++) {
                if (!chunks.get(p).isEmpty()) {
                    stored += flush(archive, layout, topic, p, chunkStart[p], chunks.get(p));
                    objects++;
                }
            }
            Path archiveFile = archive.config(dir, TestArchive.PLUGIN, topic);
            System.out.printf(Locale.ROOT, "archive: %,d events of %,d ids, %d objects, %,d bytes stored, written in %.1f s%n",
                order.length, IDS, objects, stored, (System.nanoTime() - write) / 1e9);

            // With the shipped config's enrichment, whose start (the GeoLite2 database, the user-agent rules) is
            // part of every run's.
            Map<String, String> sink = SinkConfigs.enriched(SinkConfigs.merging(name, topic));
            sink.put("transforms.enrich.useragent.target.field", "UA");
            Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sink);
            List<String> sampled = new ArrayList<>();
            for (int i = 0; i <= SAMPLES; i++) {
                sampled.add("req-" + random.nextInt(IDS));
            }
            List<String> replay = new ArrayList<>(List.of("replay", "--archive", archiveFile.toString(), "--sink",
                sinkFile.toString(), "--index", name, "--no-progress"));
            sampled.forEach(id -> {
                replay.add("--id");
                replay.add(id);
            });
            long replayStart = System.nanoTime();
            assertEquals(0, CliRun.of(replay).exit());
            System.out.printf(Locale.ROOT, "live documents of %d ids by replay --id: %.1f s%n", sampled.size(),
                (System.nanoTime() - replayStart) / 1e9);

            String[] common = {"history", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--format",
                "json", "--no-progress"};
            for (int i = 0; i < sampled.size(); i++) {
                String id = sampled.get(i);
                for (boolean at : new boolean[] {false, true}) {
                    List<String> args = historyArgs(common, name, id, at);
                    long start = System.nanoTime();
                    CliRun result = CliRun.of(args);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(0, result.exit(), result.err());
                    report((i == 0 ? "warm-up " : "") + (at ? "--at " : "history ") + id, seconds, result.out());
                }
            }

            // The same as a user runs it: bin/request-merge, a fresh JVM each time, timed from the start of the
            // process to its exit. The first run after a build also writes the class-data archive the later ones
            // start from; it is run first (the warm-up id), and timed apart.
            assertEquals(0, CliRun.ofScript(List.of("--help")).exit());
            try (DirectoryStream<Path> classData = Files.newDirectoryStream(Path.of("target"), "request-merge-cli-*.jsa")) {
                for (Path file : classData) {
                    Files.delete(file);
                }
            }
            for (int i = 0; i <= COLD_SAMPLES; i++) {
                String id = sampled.get(i);
                for (boolean at : i == 0 ? new boolean[] {false} : new boolean[] {false, true}) {
                    long start = System.nanoTime();
                    CliRun result = CliRun.ofScript(historyArgs(common, name, id, at));
                    double seconds = (System.nanoTime() - start) / 1e9;
                    assertEquals(0, result.exit(), result.toString());
                    report((i == 0 ? "first after the build (writes the class-data archive) " : "")
                        + "bin/request-merge " + (at ? "--at " : "history ") + id, seconds, result.out());
                }
            }
            // The floor of a cold run on this machine: the JVM's start and the CLI's help, nothing read or contacted.
            for (int i = 0; i < 3; i++) {
                long start = System.nanoTime();
                assertEquals(0, CliRun.ofScript(List.of("--help")).exit());
                System.out.printf(Locale.ROOT, "bin/request-merge --help (the JVM's start, nothing read): %.2f s%n",
                    (System.nanoTime() - start) / 1e9);
            }
        }
    }

    /** The history command's arguments for {@code id}; with {@code at}, the middle of its life in the index. */
    private static List<String> historyArgs(String[] common, String index, String id, boolean at) {
        List<String> args = new ArrayList<>(List.of(common));
        if (at) {
            JsonNode live = new Documents(Stack.elasticsearch().url()).get(index, id);
            Instant created = Instant.parse(live.path("created_at").asText());
            Instant updated = Instant.parse(live.path("updated_at").asText());
            args.add("--at");
            args.add(created.plusMillis((updated.toEpochMilli() - created.toEpochMilli()) / 2).toString());
        }
        args.add(id);
        return args;
    }

    /** Checks a history's JSON ends in the live document and prints its time, events, objects and bytes. */
    private static void report(String label, double seconds, String json) throws IOException {
        JsonNode history = Documents.JSON.readTree(json);
        assertEquals("[]", history.path("differences_from_live").toString(), history.toString());
        System.out.printf(Locale.ROOT, "%s%s: %.2f s, %d events, %d of %d objects (%d of the archive), "
            + "%,d of %,d bytes (%.1f%% of the archive's %,d; %d probes, %,d bytes)%n",
            label, history.path("narrowed").asBoolean() ? "" : " (whole partition)", seconds,
            history.path("events").size(), history.path("objects_read").asLong(),
            history.path("partition_objects").asLong(), history.path("archive_objects").asLong(),
            history.path("bytes_read").asLong(), history.path("partition_bytes").asLong(),
            100.0 * history.path("bytes_read").asLong() / history.path("archive_bytes").asLong(),
            history.path("archive_bytes").asLong(), history.path("probes").asLong(),
            history.path("probe_bytes").asLong());
    }

    private static long flush(TestArchive archive, ArchiveLayout layout, String topic, int partition, long start,
                              List<byte[]> lines) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        lines.forEach(bytes::writeBytes);
        byte[] gzipped = TestArchive.gzip(bytes.toByteArray());
        archive.put(layout.objectKey(topic, partition, start, 0), gzipped);
        lines.clear();
        return gzipped.length;
    }
}
