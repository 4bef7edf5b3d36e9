package io.github.requestmerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.TestData;
import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.stack.S3Server;
import io.github.requestmerge.stack.Stack;
import io.github.requestmerge.testing.ArchiveContents;
import io.github.requestmerge.testing.CliRun;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.FaultCheck;
import io.github.requestmerge.testing.RequestTimeline;
import io.github.requestmerge.testing.StatusWatcher;
import io.github.requestmerge.testing.TestArchive;
import io.github.requestmerge.testing.Topics;
import io.github.requestmerge.testing.Waits;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The whole product on the real worker, broker, Elasticsearch node and S3 server: the merging sink
 * and the raw archive connector, both created over REST from the files in {@code config/}, read the
 * same keyed traffic (bad records included) while the worker is SIGKILLed and restarted. Then the live
 * index holds exactly the independent merge, the archive holds every record exactly once, and
 * {@code request-merge replay} rebuilds from the archive an index equal to the live one, which
 * {@code verify} confirms, and {@code bin/request-merge history} of every id ends in its live document.
 */
@ExtendWith(Stack.class)
class ArchiveRoundTripIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(180);
    private static final String NAME = "roundtrip";

    @TempDir
    Path dir;

    @Test
    void bothShippedConnectorsRideThroughAWorkerKillAndTheArchiveRebuildsTheLiveIndex() throws IOException,
            InterruptedException {
        Topics topics = new Topics(Stack.kafka().bootstrapServers());
        ConnectRest connect = new ConnectRest(Stack.connect().restUrl());
        Documents documents = new Documents(Stack.elasticsearch().url());
        S3Server s3 = Stack.s3();
        topics.create(NAME, 4);
        RequestTimeline timeline = new RequestTimeline(600, 5, 4, 67, 3);

        Map<String, String> sink = shipped("config/request-merge-sink.json");
        sink.put("name", NAME + "-merge");
        sink.put("topics", NAME);
        sink.put("tasks.max", "2");
        sink.put("connection.urls", Stack.elasticsearch().url());
        sink.put("index.name", NAME);
        sink.put("index.template.name", NAME);
        sink.put("errors.deadletterqueue.topic.name", NAME + "-dlq");
        sink.put("transforms.enrich.geoip.database.path", TestData.geoLite2City().toString());
        sink.put("consumer.override.session.timeout.ms", "10000");
        Map<String, String> archive = shipped("config/raw-archive-s3.json");
        archive.put("name", NAME + "-archive");
        archive.put("topics", NAME);
        archive.put("tasks.max", "2");
        archive.put(RawArchiveConfig.S3_BUCKET_NAME, s3.bucket());
        archive.put(RawArchiveConfig.STORE_URL, s3.endpoint());
        archive.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, s3.accessKey());
        archive.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, s3.secretKey());
        archive.put(RawArchiveConfig.TOPICS_DIR, NAME);
        // The quiet tail of each partition is closed by the schedule in seconds, not the shipped ten minutes.
        archive.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, "3000");
        archive.put("consumer.override.session.timeout.ms", "10000");

        connect.putConfig(NAME + "-merge", sink);
        connect.putConfig(NAME + "-archive", archive);
        try (StatusWatcher mergeWatcher = StatusWatcher.watch(NAME + "-merge", Stack.connect().restUrl());
             StatusWatcher archiveWatcher = StatusWatcher.watch(NAME + "-archive", Stack.connect().restUrl());
             S3Client client = ArchiveContents.client(s3)) {
            connect.awaitRunning(NAME + "-merge", 2, TIMEOUT);
            connect.awaitRunning(NAME + "-archive", 2, TIMEOUT);

            Topics.Stream stream = topics.stream(NAME, timeline.events(), Duration.ofSeconds(15));
            FaultCheck check = new FaultCheck("worker-sigkill-both-connectors", timeline, documents, NAME, mergeWatcher);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (stream.progress() < 0.4 || documents.count(NAME) < 100
                || ArchiveContents.keys(client, s3.bucket(), NAME + "/").size() < 4) {
                assertTrue(System.nanoTime() < deadline, "the connectors did not get going");
                Waits.sleep(200);
            }
            Stack.connect().kill();
            Waits.sleep(2_000);
            Stack.connect().restart();
            check.faultEnded("restart");
            List<RecordMetadata> written = stream.finish(TIMEOUT);

            check.verify(TIMEOUT, topics, NAME, NAME + "-dlq", written);
            List<String> problems = List.of("not read yet");
            while (!problems.isEmpty() && System.nanoTime() < deadline + TIMEOUT.toNanos()) {
                problems = ArchiveContents.problems(ArchiveContents.read(client, s3.bucket(), NAME + "/"),
                    ArchiveContents.produced(NAME, timeline.events(), written));
                if (problems.stream().anyMatch(problem -> problem.contains("twice"))) {
                    break;
                }
                Waits.sleep(1_000);
            }
            assertEquals(List.of(), problems, "the archive holds every produced record exactly once");

            Path sinkFile = TestArchive.write(dir.resolve("sink.json"), sink);
            Path archiveFile = TestArchive.write(dir.resolve("archive.json"), archive);
            CliRun replay = CliRun.of("replay", "--archive", archiveFile.toString(), "--sink", sinkFile.toString(), "--index",
                NAME + "-replayed");
            assertEquals(0, replay.exit(), replay.toString());
            Map<String, JsonNode> live = documents.all(NAME);
            Map<String, JsonNode> replayed = documents.all(NAME + "-replayed");
            assertEquals(List.of(), timeline.mismatches(replayed), "replay equals the independent merge");
            assertEquals(List.of(), differences(live, replayed), "replay equals the live index: fields, times and offset marks");

            CliRun verify = CliRun.of("verify", "--archive", archiveFile.toString(), "--sink", sinkFile.toString());
            assertEquals(0, verify.exit(), verify.toString());

            // Every id's history, told by bin/request-merge as a user runs it (its own JVM, the shipped configs),
            // ends in the document the live connector wrote, worker kill and redeliveries included.
            List<String> history = new ArrayList<>(List.of("history", "--archive", archiveFile.toString(), "--sink",
                sinkFile.toString(), "--format", "json"));
            history.addAll(timeline.ids());
            CliRun told = CliRun.ofScript(history);
            assertEquals(0, told.exit(), told.toString());
            Map<String, JsonNode> histories = told.jsonById();
            assertEquals(new TreeSet<>(timeline.ids()), new TreeSet<>(histories.keySet()));
            for (JsonNode one : histories.values()) {
                assertEquals("[]", one.path("differences_from_live").toString(), one.toString());
                assertEquals(live.get(one.path("id").asText()), one.path("document"));
            }
            // The first run after a build wrote the class-data archive; a run that starts from it says the same.
            try (DirectoryStream<Path> archives = Files.newDirectoryStream(Paths.get("target"),
                     "request-merge-cli-*.jsa")) {
                assertTrue(archives.iterator().hasNext(), told.err());
            }
            List<String> three = new ArrayList<>(history.subList(0, 7));
            three.addAll(timeline.ids().subList(0, 3));
            CliRun again = CliRun.ofScript(three);
            assertEquals(0, again.exit(), again.toString());
            again.jsonById().forEach((id, one) -> assertEquals(histories.get(id), one, id));
            mergeWatcher.assertNothingFailed();
            archiveWatcher.assertNothingFailed();
        } finally {
            connect.delete(NAME + "-merge");
            connect.delete(NAME + "-archive");
        }
    }

    /** @return the first few ids whose documents differ, each with both versions */
    private static List<String> differences(Map<String, JsonNode> live, Map<String, JsonNode> replayed) {
        List<String> differences = new ArrayList<>();
        Set<String> ids = new TreeSet<>(live.keySet());
        ids.addAll(replayed.keySet());
        for (String id : ids) {
            if (!Objects.equals(live.get(id), replayed.get(id)) && differences.size() < 5) {
                differences.add(id + ": live " + live.get(id) + " replayed " + replayed.get(id));
            }
        }
        return differences;
    }

    /** A connector config from {@code config/}, as a user would PUT it. */
    private static Map<String, String> shipped(String file) {
        try {
            return new ObjectMapper().readValue(Paths.get(System.getProperty("project.basedir", ".")).resolve(file)
                .toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
