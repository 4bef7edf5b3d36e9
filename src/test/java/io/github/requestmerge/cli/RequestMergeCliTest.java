package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.github.requestmerge.testing.CliRun;

/** Usage and configuration errors: exit code 2 and a message naming what to fix, before anything is contacted. */
class RequestMergeCliTest {

    @TempDir
    Path dir;

    private String err;
    private String out;

    private int run(String... args) {
        CliRun run = CliRun.of(args);
        out = run.out();
        err = run.err();
        return run.exit();
    }

    @Test
    void helpListsTheCommandsAndExitCodes() {
        assertEquals(0, run("--help"));
        assertTrue(out.contains("replay") && out.contains("verify"), out);
        assertEquals(0, run("verify", "--help"));
        assertTrue(out.contains("--ignore=FIELD") && out.contains("1   it does not (different, missing or extra documents)"),
            out);
        assertEquals(0, run("history", "--help"));
        assertTrue(out.contains("--at=TIME") && out.contains("1   an id is not in the archive"), out);
    }

    @Test
    void historyFindsThePartitionAsTheProducersDefaultPartitionerDoes() {
        for (int i = 0; i < 1000; i++) {
            String key = "req-" + i;
            for (int partitions : new int[] {1, 3, 4, 12}) {
                assertEquals(org.apache.kafka.clients.producer.internals.BuiltInPartitioner.partitionForKey(
                    key.getBytes(StandardCharsets.UTF_8), partitions), HistoryCommand.partitionOf(key, partitions), key);
            }
        }
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, run());
        assertTrue(err.contains("name a command: replay, verify or history"), err);
        assertEquals(2, run("replay", "--sink", "s.json"));
        assertTrue(err.contains("Missing required option: '--archive=FILE'"), err);
        assertEquals(2, run("replay", "--archive", "a.json", "--sink", "s.json", "--from", "yesterday"));
        assertTrue(err.contains("'yesterday' is not a time"), err);
        assertEquals(2, run("verify", "--archive", "a.json", "--sink", "s.json", "--from", "2026-11-27"));
        assertTrue(err.contains("request-merge: --from: verify compares whole documents"), err);
        assertEquals(2, run("replay", "--archive", "a.json", "--sink", "s.json", "--index", "Requests"));
        assertTrue(err.contains("request-merge: --index: index names must be lower case: 'Requests'"), err);
        assertEquals(2, run("replay", "--archive", "a.json", "--sink", "s.json", "--on-error", "ignore"));
        assertEquals(2, run("history", "--archive", "a.json", "--sink", "s.json"));
        assertTrue(err.contains("Missing required parameter: 'ID'"), err);
        assertEquals(2, run("history", "--archive", "a.json", "--sink", "s.json", "--at", "lunch", "abc123"));
        assertTrue(err.contains("'lunch' is not a time"), err);
    }

    @Test
    void aMissingFileIsNamed() {
        Path archive = dir.resolve("archive.json");
        assertEquals(2, run("replay", "--archive", archive.toString(), "--sink", "s.json"));
        assertEquals("request-merge: " + archive + ": no such file", err.trim());
    }

    @Test
    void aTransformThatCannotBeMadeIsReportedBeforeAClusterThatDoesNotAnswer() {
        // The transforms are made while the connections open (Startup); their error still comes first.
        String[] shipped = {"--archive", "config/raw-archive-s3.json", "--sink", "config/request-merge-sink.json",
            "--set", "connection.urls=http://127.0.0.1:1"};
        for (String command : new String[] {"history", "verify"}) {
            String[] args = command.equals("history") ? new String[] {"abc123"} : new String[0];
            assertEquals(2, run(concat(new String[] {command}, shipped, new String[] {"--set",
                "transforms.enrich.type=no.such.Transform"}, args)));
            assertTrue(err.contains("config/request-merge-sink.json: transforms.enrich.type: class no.such.Transform is not "
                + "on the classpath"), err);
            assertEquals(2, run(concat(new String[] {command}, shipped, new String[] {"--set", "sink:transforms="}, args)));
            assertTrue(err.contains("config/request-merge-sink.json: connection.urls: Elasticsearch at http://127.0.0.1:1"),
                err);
        }
    }

    private static String[] concat(String[]... parts) {
        return Arrays.stream(parts).flatMap(Arrays::stream).toArray(String[]::new);
    }

    @Test
    void timesReadAsIsoOrEpochMillis() {
        long midnight = java.time.Instant.parse("2026-11-29T00:00:00Z").toEpochMilli();
        assertEquals(midnight, ScanOptions.parseTime("2026-11-29T00:00:00Z"));
        assertEquals(midnight, ScanOptions.parseTime("2026-11-29"));
        assertEquals(midnight, ScanOptions.parseTime("2026-11-29T01:00:00+01:00"));
        assertEquals(midnight, ScanOptions.parseTime("2026-11-29T00:00"));
        assertEquals(midnight, ScanOptions.parseTime("1795910400000"));
    }
}
