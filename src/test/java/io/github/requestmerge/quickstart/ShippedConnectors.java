package io.github.requestmerge.quickstart;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.archive.RawArchiveConfig;
import io.github.requestmerge.enrich.EnrichConfig;

/**
 * The two connectors the quickstart runs, as a user would create them: the files in {@code config/}
 * ({@code request-merge-sink.json}: the merging sink with the Enrich SMT; {@code raw-archive-s3.json}:
 * the raw archive), with only what a local stack changes: its endpoints and credentials, the GeoLite2
 * database (or geo turned off without one), and a rotation schedule of seconds so that the archive
 * catches up within the run. An optional prefix renames the connectors, topics, index and archive
 * folder, so a test can run the quickstart beside other tests on a shared stack.
 */
final class ShippedConnectors {

    /** How often the archive closes the quiet tail of a partition: seconds, not the shipped ten minutes. */
    static final long ARCHIVE_ROTATE_SCHEDULE_MS = 5_000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ENRICH = "transforms.enrich.";

    private final Map<String, String> sink;
    private final Map<String, String> archive;

    /**
     * @param geoDatabase the GeoLite2/GeoIP2 City database on this machine, or null to run without geo
     */
    ShippedConnectors(Path projectDir, StackEndpoints stack, String prefix, Path geoDatabase) throws IOException {
        sink = read(projectDir.resolve("config/request-merge-sink.json"));
        archive = read(projectDir.resolve("config/raw-archive-s3.json"));
        String topic = prefix + sink.get("topics");
        sink.put("name", prefix + sink.get("name"));
        sink.put("topics", topic);
        sink.put("connection.urls", stack.elasticsearchUrl());
        sink.put("index.name", prefix + sink.get("index.name"));
        if (!prefix.isEmpty()) {
            sink.put("index.template.name", prefix + "template");
        }
        sink.put("errors.deadletterqueue.topic.name", prefix + sink.get("errors.deadletterqueue.topic.name"));
        if (geoDatabase != null) {
            sink.put(ENRICH + EnrichConfig.GEOIP_DATABASE_PATH, geoDatabase.toString());
        } else {
            sink.remove(ENRICH + EnrichConfig.GEOIP_DATABASE_PATH);
            sink.put(ENRICH + EnrichConfig.GEOIP_ENABLED, "false");
        }

        archive.put("name", prefix + archive.get("name"));
        archive.put("topics", topic);
        archive.put(RawArchiveConfig.STORE_URL, stack.s3Endpoint());
        archive.put(RawArchiveConfig.S3_BUCKET_NAME, stack.s3Bucket());
        archive.put(RawArchiveConfig.AWS_ACCESS_KEY_ID, stack.s3AccessKey());
        archive.put(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, stack.s3SecretKey());
        archive.put(RawArchiveConfig.S3_REGION, stack.s3Region());
        archive.put(RawArchiveConfig.TOPICS_DIR, prefix + archive.get(RawArchiveConfig.TOPICS_DIR));
        archive.put(RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS, String.valueOf(ARCHIVE_ROTATE_SCHEDULE_MS));
    }

    private static Map<String, String> read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), new TypeReference<LinkedHashMap<String, String>>() { });
    }

    Map<String, String> sink() {
        return sink;
    }

    Map<String, String> archive() {
        return archive;
    }

    String sinkName() {
        return sink.get("name");
    }

    String archiveName() {
        return archive.get("name");
    }

    String topic() {
        return sink.get("topics");
    }

    String deadLetterTopic() {
        return sink.get("errors.deadletterqueue.topic.name");
    }

    String index() {
        return sink.get("index.name");
    }

    /** @return the folder of the bucket the archive writes under */
    String archivePrefix() {
        return archive.get(RawArchiveConfig.TOPICS_DIR) + "/";
    }

    int sinkTasks() {
        return Integer.parseInt(sink.get("tasks.max"));
    }

    int archiveTasks() {
        return Integer.parseInt(archive.get("tasks.max"));
    }

    /** Writes both configs as JSON files (what {@code request-merge verify} reads), returning them: sink, archive. */
    Path[] write(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path sinkFile = dir.resolve("request-merge-sink.json");
        Path archiveFile = dir.resolve("raw-archive-s3.json");
        Files.writeString(sinkFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sink));
        Files.writeString(archiveFile, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(archive));
        return new Path[] {sinkFile, archiveFile};
    }
}
