package io.github.requestmerge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;

import org.apache.kafka.clients.producer.RecordMetadata;

import io.github.requestmerge.archive.ArchiveLayout;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.RawRecordCodec;
import io.github.requestmerge.archive.S3Clients;
import io.github.requestmerge.archive.S3Settings;
import io.github.requestmerge.stack.S3Server;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What an archive in a real bucket holds, read back the way a reader would (every object listed with
 * pagination, gunzipped, each line read with {@link RawRecordCodec}), and the check the exactly-once
 * tests make: per partition, offsets contiguous from the first produced one, none twice, each record
 * equal to what was produced, each object named after its first record.
 */
public final class ArchiveContents {

    private ArchiveContents() {
    }

    public static S3Client client(S3Server s3) {
        return S3Clients.open(new S3Settings(s3.bucket(), s3.region(), URI.create(s3.endpoint()), true, s3.accessKey(),
            s3.secretKey(), null));
    }

    /**
     * @return every archive object under the prefix, by key, with its records; other objects (the probe
     *     objects a task killed between writing and deleting them leaves beside the topic folders) are left
     *     out, as a reader listing the topic folders never sees them
     */
    public static Map<String, List<RawRecord>> read(S3Client client, String bucket, String prefix) {
        for (int attempt = 1; ; attempt++) {
            try {
                return readOnce(client, bucket, prefix);
            } catch (NoSuchKeyException e) {
                // Listed, then gone at GET: seen once in CI in the test that kills the worker mid-upload. The
                // filesystem store behind the test's S3 server can list an upload it is still receiving and drop it
                // when the connection is cut; no task counts on an object S3 never acknowledged. List again.
                if (attempt == 5) {
                    throw e;
                }
            }
        }
    }

    private static Map<String, List<RawRecord>> readOnce(S3Client client, String bucket, String prefix) {
        Map<String, List<RawRecord>> objects = new TreeMap<>();
        for (String key : keys(client, bucket, prefix)) {
            if (key.substring(key.lastIndexOf('/') + 1).startsWith(".request-merge-probe-")) {
                continue;
            }
            try (InputStream in = new GZIPInputStream(client.getObject(g -> g.bucket(bucket).key(key)))) {
                byte[] all = in.readAllBytes();
                List<RawRecord> records = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < all.length; i++) {
                    if (all[i] == '\n') {
                        records.add(RawRecordCodec.read(all, start, i - start));
                        start = i + 1;
                    }
                }
                assertEquals(all.length, start, key + " ends with a whole line");
                objects.put(key, records);
            } catch (IOException e) {
                throw new UncheckedIOException(key, e);
            }
        }
        return objects;
    }

    public static List<String> keys(S3Client client, String bucket, String prefix) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix).maxKeys(500);
            if (token != null) {
                request.continuationToken(token);
            }
            ListObjectsV2Response page = client.listObjectsV2(request.build());
            page.contents().stream().map(S3Object::key).forEach(keys::add);
            token = page.isTruncated() ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    /**
     * @param produced per partition, every record produced to it, in offset order
     * @return what is wrong, one line per problem (at most a few per partition); empty when the archive
     *     holds every produced record exactly once
     */
    public static List<String> problems(Map<String, List<RawRecord>> objects, Map<Integer, List<RawRecord>> produced) {
        List<String> problems = new ArrayList<>();
        Map<Integer, Map<Long, List<RawRecord>>> archived = new TreeMap<>();
        Map<Integer, Map<Long, String>> where = new TreeMap<>();
        for (Map.Entry<String, List<RawRecord>> object : objects.entrySet()) {
            ArchiveLayout.ObjectName name = ArchiveLayout.parse(object.getKey());
            List<RawRecord> records = object.getValue();
            if (name == null || records.isEmpty()) {
                problems.add(object.getKey() + ": not an archive object, or empty");
                continue;
            }
            if (records.get(0).offset() != name.startOffset() || records.get(0).partition() != name.partition()) {
                problems.add(object.getKey() + ": named for offset " + name.startOffset() + " but starts at "
                    + records.get(0));
            }
            for (RawRecord record : records) {
                archived.computeIfAbsent(record.partition(), p -> new TreeMap<>())
                    .computeIfAbsent(record.offset(), o -> new ArrayList<>()).add(record);
                String previous = where.computeIfAbsent(record.partition(), p -> new LinkedHashMap<>())
                    .put(record.offset(), object.getKey());
                if (previous != null && problems.size() < 20) {
                    problems.add(record + " is archived twice: in " + previous + " and " + object.getKey());
                }
            }
        }
        for (Map.Entry<Integer, List<RawRecord>> partition : produced.entrySet()) {
            Map<Long, List<RawRecord>> got = archived.getOrDefault(partition.getKey(), Map.of());
            int wrong = 0;
            for (RawRecord record : partition.getValue()) {
                List<RawRecord> copies = got.get(record.offset());
                if (copies == null) {
                    wrong++;
                    if (wrong <= 3) {
                        problems.add(record + " is missing");
                    }
                } else if (!copies.get(0).equals(record)) {
                    wrong++;
                    if (wrong <= 3) {
                        problems.add(record + " differs from what was produced");
                    }
                }
            }
            if (got.size() != partition.getValue().size()) {
                problems.add("partition " + partition.getKey() + ": " + got.size() + " distinct offsets archived, "
                    + partition.getValue().size() + " produced");
            }
        }
        for (Integer partition : archived.keySet()) {
            if (!produced.containsKey(partition)) {
                problems.add("partition " + partition + " was archived but not produced to");
            }
        }
        return problems;
    }

    /** @return per partition, the records as the producer wrote them (where the broker put them), by offset */
    public static Map<Integer, List<RawRecord>> produced(String topic, List<RequestTimeline.Event> events,
                                                        List<RecordMetadata> written) {
        Map<Integer, List<RawRecord>> produced = new TreeMap<>();
        for (int i = 0; i < events.size(); i++) {
            RequestTimeline.Event event = events.get(i);
            RecordMetadata where = written.get(i);
            produced.computeIfAbsent(where.partition(), p -> new ArrayList<>()).add(new RawRecord(topic, where.partition(),
                where.offset(), event.timestamp(), "CreateTime",
                event.id() == null ? null : event.id().getBytes(StandardCharsets.UTF_8), List.of(),
                event.json().getBytes(StandardCharsets.UTF_8)));
        }
        produced.values().forEach(records -> records.sort((a, b) -> Long.compare(a.offset(), b.offset())));
        return produced;
    }
}
