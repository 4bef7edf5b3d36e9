package io.github.requestmerge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.SchemaAndValue;
import org.apache.kafka.connect.json.JsonConverter;
import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.transforms.InsertField;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.requestmerge.archive.ArchiveLayout;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.RawRecordCodec;
import io.github.requestmerge.archive.S3Clients;
import io.github.requestmerge.archive.S3Settings;
import io.github.requestmerge.stack.S3Server;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Writes an archive into the test S3 server the way the two archive connectors lay it out, from records
 * the test knows: the plugin's own format ({@link RawRecordCodec} lines, gzip, {@link ArchiveLayout} names)
 * or Confluent's S3 sink's (its JsonFormat lines of the JSON converter's values stamped by the real
 * {@code InsertField$Value}, and the keys beside them), plus the archive connector's config file for it.
 */
public final class TestArchive implements AutoCloseable {

    /** One record as Kafka held it; {@code key} and {@code value} are the produced strings (null for null). */
    public record Record(String topic, int partition, long offset, long timestamp, String key, String value) {
    }

    public static final String PLUGIN = "io.github.requestmerge.archive.RawArchiveSinkConnector";
    public static final String CONFLUENT = "io.confluent.connect.s3.S3SinkConnector";

    private final S3Server s3;
    private final String topicsDir;
    private final S3Client client;

    /** @param topicsDir keeps each test's archive apart in the shared bucket */
    public TestArchive(S3Server s3, String topicsDir) {
        this.s3 = s3;
        this.topicsDir = topicsDir;
        this.client = S3Clients.open(new S3Settings(s3.bucket(), s3.region(), URI.create(s3.endpoint()), true,
            s3.accessKey(), s3.secretKey(), null));
    }

    /** @return the timeline's records with the offsets Kafka gives them: per partition, in order from 0 */
    public static List<Record> offsets(String topic, List<RequestTimeline.Event> events) {
        Map<Integer, Long> next = new HashMap<>();
        List<Record> records = new ArrayList<>();
        for (RequestTimeline.Event event : events) {
            long offset = next.merge(event.partition(), 1L, Long::sum) - 1;
            records.add(new Record(topic, event.partition(), offset, event.timestamp(), event.id(), event.json()));
        }
        return records;
    }

    /** @return the records as produced: where the broker put each event */
    public static List<Record> produced(String topic, List<RequestTimeline.Event> events, List<RecordMetadata> written) {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < events.size(); i++) {
            RequestTimeline.Event event = events.get(i);
            RecordMetadata metadata = written.get(i);
            records.add(new Record(topic, metadata.partition(), metadata.offset(), metadata.timestamp(), event.id(),
                event.json()));
        }
        return records;
    }

    public String topicsDir() {
        return topicsDir;
    }

    public S3Client client() {
        return client;
    }

    /** @return the records by partition, in offset order */
    private static Map<Integer, List<Record>> byPartition(List<Record> records) {
        Map<Integer, List<Record>> partitions = new TreeMap<>();
        for (Record record : records) {
            partitions.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record);
        }
        partitions.values().forEach(list -> list.sort((a, b) -> Long.compare(a.offset(), b.offset())));
        return partitions;
    }

    /**
     * Writes the records in the plugin's format, {@code perObject} records per object.
     *
     * @return the object keys, per partition in offset order
     */
    public List<String> writePlugin(List<Record> records, int perObject) {
        ArchiveLayout layout = ArchiveLayout.byPartition(topicsDir);
        List<String> keys = new ArrayList<>();
        for (List<Record> partition : byPartition(records).values()) {
            for (int from = 0; from < partition.size(); from += perObject) {
                List<Record> chunk = partition.subList(from, Math.min(partition.size(), from + perObject));
                ByteArrayOutputStream lines = new ByteArrayOutputStream();
                for (Record record : chunk) {
                    RawRecordCodec.write(raw(record), lines);
                }
                Record first = chunk.get(0);
                String key = layout.objectKey(first.topic(), first.partition(), first.offset(), first.timestamp());
                put(key, gzip(lines.toByteArray()));
                keys.add(key);
            }
        }
        return keys;
    }

    public static RawRecord raw(Record record) {
        return new RawRecord(record.topic(), record.partition(), record.offset(), record.timestamp(), "CreateTime",
            record.key() == null ? null : record.key().getBytes(StandardCharsets.UTF_8), List.of(),
            record.value() == null ? null : record.value().getBytes(StandardCharsets.UTF_8));
    }

    /** @return one plugin-format line, as bytes with its newline */
    public static byte[] line(Record record) {
        return RawRecordCodec.write(raw(record));
    }

    /**
     * Writes the records as Confluent's S3 sink with {@code config/raw-archive-confluent-s3.json} would: each
     * value through the JSON converter (schemas off) and the stamp transform, then JsonFormat; each key as a JSON
     * string in the keys object beside it. Records the converter or the transform refuse (not JSON, not an
     * object) are not archived, as that connector's error handler would skip them.
     *
     * @return the records it archived
     */
    public List<Record> writeConfluent(List<Record> records, int perObject) {
        ArchiveLayout layout = ArchiveLayout.byPartition(topicsDir);
        List<Record> archived = new ArrayList<>();
        try (JsonConverter values = new JsonConverter(); JsonConverter keys = new JsonConverter();
             InsertField.Value<SinkRecord> stamp = new InsertField.Value<>()) {
            values.configure(Map.of("schemas.enable", "false", "converter.type", "value"), false);
            keys.configure(Map.of("schemas.enable", "false", "converter.type", "key"), true);
            stamp.configure(stampConfig());
            for (List<Record> partition : byPartition(records).values()) {
                List<byte[]> valueLines = new ArrayList<>();
                List<byte[]> keyLines = new ArrayList<>();
                List<Record> chunk = new ArrayList<>();
                for (Record record : partition) {
                    byte[] valueLine;
                    try {
                        SchemaAndValue value = values.toConnectData(record.topic(), record.value() == null ? null
                            : record.value().getBytes(StandardCharsets.UTF_8));
                        SinkRecord sink = new SinkRecord(record.topic(), record.partition(), null, record.key(),
                            value.schema(), value.value(), record.offset(), record.timestamp(), TimestampType.CREATE_TIME);
                        SinkRecord stamped = stamp.apply(sink);
                        valueLine = values.fromConnectData(record.topic(), stamped.valueSchema(), stamped.value());
                    } catch (RuntimeException e) {
                        continue;
                    }
                    valueLines.add(valueLine);
                    byte[] keyLine = keys.fromConnectData(record.topic(), null, record.key());
                    keyLines.add(keyLine == null ? "null".getBytes(StandardCharsets.UTF_8) : keyLine);
                    chunk.add(record);
                    archived.add(record);
                    if (chunk.size() == perObject) {
                        putConfluent(layout, chunk, valueLines, keyLines);
                    }
                }
                if (!chunk.isEmpty()) {
                    putConfluent(layout, chunk, valueLines, keyLines);
                }
            }
        }
        return archived;
    }

    static Map<String, String> stampConfig() {
        return Map.of("topic.field", "_kafka_topic", "partition.field", "_kafka_partition", "offset.field", "_kafka_offset",
            "timestamp.field", "_kafka_timestamp");
    }

    private void putConfluent(ArchiveLayout layout, List<Record> chunk, List<byte[]> valueLines, List<byte[]> keyLines) {
        Record first = chunk.get(0);
        String key = layout.objectKey(first.topic(), first.partition(), first.offset(), first.timestamp());
        put(key, gzip(joined(valueLines)));
        put(key.substring(0, key.length() - ArchiveLayout.EXTENSION.length()) + ArchiveLayout.KEYS_EXTENSION,
            gzip(joined(keyLines)));
        chunk.clear();
        valueLines.clear();
        keyLines.clear();
    }

    private static byte[] joined(List<byte[]> lines) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] line : lines) {
            out.writeBytes(line);
            out.write('\n');
        }
        return out.toByteArray();
    }

    public void put(String key, byte[] bytes) {
        client.putObject(p -> p.bucket(s3.bucket()).key(key), RequestBody.fromBytes(bytes));
    }

    public static byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Writes the archive connector's configuration for this archive to a file, as a user keeps it.
     *
     * @param connector {@link #PLUGIN} or {@link #CONFLUENT}
     */
    public Path config(Path dir, String connector, String topics) {
        Map<String, String> config = new LinkedHashMap<>();
        config.put("name", "archive-" + topicsDir);
        config.put("connector.class", connector);
        config.put("topics", topics);
        config.put("s3.bucket.name", s3.bucket());
        config.put("s3.region", s3.region());
        config.put("store.url", s3.endpoint());
        config.put("s3.path.style.access.enabled", "true");
        config.put("aws.access.key.id", s3.accessKey());
        config.put("aws.secret.access.key", s3.secretKey());
        config.put("topics.dir", topicsDir);
        config.put("partitioner.class", "io.confluent.connect.storage.partitioner.DefaultPartitioner");
        if (connector.equals(CONFLUENT)) {
            config.put("format.class", "io.confluent.connect.s3.format.json.JsonFormat");
            config.put("s3.compression.type", "gzip");
            config.put("store.kafka.keys", "true");
            config.put("keys.format.class", "io.confluent.connect.s3.format.json.JsonFormat");
            config.put("key.converter", "org.apache.kafka.connect.storage.StringConverter");
            config.put("value.converter", "org.apache.kafka.connect.json.JsonConverter");
            config.put("value.converter.schemas.enable", "false");
            config.put("transforms", "stamp");
            config.put("transforms.stamp.type", "org.apache.kafka.connect.transforms.InsertField$Value");
            stampConfig().forEach((key, value) -> config.put("transforms.stamp." + key, value));
        } else {
            config.put("key.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
            config.put("value.converter", "org.apache.kafka.connect.converters.ByteArrayConverter");
        }
        return write(dir.resolve("archive-" + topicsDir + ".json"), config);
    }

    public static Path write(Path file, Map<String, String> config) {
        try {
            Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(config));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    @Override
    public void close() {
        client.close();
    }
}
