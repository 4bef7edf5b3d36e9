package io.github.requestmerge.cli;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.connect.sink.SinkRecord;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.archive.ArchiveListing;
import io.github.requestmerge.archive.ArchiveReader;
import io.github.requestmerge.archive.ArchiveSource;
import io.github.requestmerge.archive.RawRecord;
import io.github.requestmerge.archive.WorkerConversion;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.BadRecordException;
import io.github.requestmerge.sink.OfflineMerge;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Finds one request's records in an archive laid out by partition and time, reading as little as it can:
 * <ul>
 * <li>the partition: the live document's offset marks ({@code _merge.offsets}) name it; without a live
 *     document, Kafka's default partitioner over the key (murmur2) and the number of the topic's partition
 *     folders in the archive (an assumption the output states), or {@code --partition};</li>
 * <li>the last object: the mark is the id's last merged offset, so objects starting after it are not read;</li>
 * <li>the first object: objects are ordered by offset and their records by produce time, so a binary search
 *     over the objects' first-line timestamps (a few records read) finds the last object starting before the
 *     live document's created time less a slack, and the older ones are skipped.</li>
 * </ul>
 * Without a live document, or with {@code --full}, all the partition's objects are read. Each record of the
 * id goes the live connector's way (converters, transforms, the sink's conversion) and is returned in offset
 * order with what became of it; the merge is {@link RequestHistory}'s. When the id comes from the record key,
 * records whose raw key does not hold the id's bytes are passed over without being converted.
 *
 * <p>Not thread-safe: one thread searches.
 */
final class HistorySearch {

    /** One record of the id, as read and converted. */
    record Found(RawRecord raw, String objectKey, long line, OfflineMerge.Change change, String rejectStage,
                 String rejectReason, boolean droppedByTransform) {

        /** @return the time the event is placed at: its event time, or the record's timestamp when it has none */
        Long time() {
            if (change != null && change.eventTime() != null) {
                return change.eventTime();
            }
            return raw.timestamp();
        }
    }

    /** What a search read and found. */
    record Result(String id, List<Found> events, String source, String partitionFrom, boolean narrowed,
                  long objectsRead, long bytesRead, long probeBytes, long probes, long partitionObjects,
                  long partitionBytes, long archiveObjects, long archiveBytes, List<String> problems, List<String> notes) {
    }

    /** Stops reading an object after its first record. */
    private static final class FirstRecord extends RuntimeException {
        final RawRecord record;

        FirstRecord(RawRecord record) {
            super(null, null, false, false);
            this.record = record;
        }
    }

    private final ArchiveListing listing;
    private final ArchiveReader reader;
    private final WorkerConversion conversion;
    private final OfflineMerge merge;
    private final Progress progress;
    private final long slackMillis;
    private final boolean idFromKey;
    private final Map<String, Long> firstTimestamps = new HashMap<>();
    private long bytesRead;
    private long probeBytes;
    private long probes;

    HistorySearch(S3Client s3, Retry retry, ArchiveSource source, ArchiveListing listing, WorkerConversion conversion,
                  OfflineMerge merge, Progress progress, long slackMillis) {
        this.listing = listing;
        this.reader = new ArchiveReader(s3, retry, source, n -> {
            bytesRead += n;
            progress.bytes(n);
        });
        this.conversion = conversion;
        this.merge = merge;
        this.progress = progress;
        this.slackMillis = slackMillis;
        this.idFromKey = merge.config().getString(RequestMergeSinkConfig.MERGE_ID_FIELD).isBlank();
    }

    /**
     * @param live the live document, or null
     * @param partitionOption {@code --partition}, or null
     * @param full read all of the partition
     */
    Result find(String id, JsonNode live, Integer partitionOption, boolean full)
        throws UnrecoverableException, InterruptedException {
        long bytesBefore = bytesRead;
        long probeBytesBefore = probeBytes;
        long probesBefore = probes;
        List<String> notes = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        ArchiveListing.Partition partition = null;
        String from;
        Long lastOffset = null;
        Long created = null;
        Map<String, Long> marks = marks(live);
        if (partitionOption != null) {
            partition = partition(listing.topics().isEmpty() ? null : listing.topics().get(0), partitionOption);
            from = "--partition " + partitionOption;
            if (partition != null) {
                lastOffset = marks.get(partition.source());
            }
        } else if (!marks.isEmpty()) {
            Map.Entry<String, Long> mark = marks.entrySet().iterator().next();
            int slash = mark.getKey().lastIndexOf('/');
            partition = partition(mark.getKey().substring(0, slash), Integer.parseInt(mark.getKey().substring(slash + 1)));
            lastOffset = mark.getValue();
            from = "the live document's offset marks";
            if (marks.size() > 1) {
                notes.add("the live document has marks in " + marks.size() + " partitions (" + String.join(", ", marks.keySet())
                    + "); only " + mark.getKey() + " is read");
            }
        } else {
            String topic = listing.topics().isEmpty() ? null : listing.topics().get(0);
            int count = 0;
            for (ArchiveListing.Partition p : listing.partitions()) {
                if (p.topic().equals(topic)) {
                    count = Math.max(count, p.partition() + 1);
                }
            }
            if (count == 0) {
                return new Result(id, List.of(), topic == null ? "the archive" : topic, "no partition of the topic is "
                    + "archived", false, 0, 0, 0, 0, 0, 0, listing.objectCount(), listing.bytes(), problems, notes);
            }
            int number = HistoryCommand.partitionOf(id, count);
            partition = partition(topic, number);
            from = "Kafka's default partitioner (murmur2 of the key, " + count + " partitions as archived); "
                + "--partition overrides it";
            if (listing.topics().size() > 1) {
                notes.add("the sink reads " + listing.topics().size() + " archived topics; only " + topic + " is read");
            }
        }
        if (live != null) {
            created = time(live.path(merge.rules().createdField()));
        }
        if (partition == null) {
            return new Result(id, List.of(), "the archive", from + ": a partition the archive does not hold", false, 0, 0,
                0, 0, 0, 0, listing.objectCount(), listing.bytes(), problems, notes);
        }
        List<ArchiveListing.ArchiveObject> objects = partition.objects();
        boolean narrowed = false;
        if (!full && lastOffset != null) {
            int end = objects.size();
            while (end > 1 && objects.get(end - 1).startOffset() > lastOffset) {
                end--;
            }
            int start = 0;
            if (created != null) {
                start = firstObject(objects, end, created - slackMillis, problems);
            }
            narrowed = start > 0 || end < objects.size();
            objects = objects.subList(start, end);
        }
        progress.startPass("reading " + partition.source(), bytesOf(objects), objects.size());
        Collector collector = new Collector(id, problems);
        for (ArchiveListing.ArchiveObject object : objects) {
            reader.read(object, collector);
            progress.objectDone();
        }
        progress.close();
        return new Result(id, collector.found, partition.source(), from, narrowed, objects.size(), bytesRead - bytesBefore,
            probeBytes - probeBytesBefore, probes - probesBefore, partition.objects().size(), partition.bytes(),
            listing.objectCount(), listing.bytes(), problems, notes);
    }

    /**
     * @return the index of the last object (before {@code end}) whose first record's timestamp is at or before
     *     {@code bound}, found by binary search; 0 when there is none or a timestamp is missing
     */
    private int firstObject(List<ArchiveListing.ArchiveObject> objects, int end, long bound, List<String> problems)
        throws UnrecoverableException, InterruptedException {
        int low = 0;
        int high = end - 1;
        int found = 0;
        while (low <= high) {
            int middle = (low + high) >>> 1;
            Long first = firstTimestamp(objects.get(middle), problems);
            if (first == null) {
                return 0;
            }
            if (first < bound) {
                found = middle;
                low = middle + 1;
            } else {
                high = middle - 1;
            }
        }
        return found;
    }

    private Long firstTimestamp(ArchiveListing.ArchiveObject object, List<String> problems)
        throws UnrecoverableException, InterruptedException {
        if (firstTimestamps.containsKey(object.key())) {
            return firstTimestamps.get(object.key());
        }
        Long timestamp = null;
        long before = bytesRead;
        probes++;
        try {
            reader.read(object, new ArchiveReader.Handler() {
                @Override
                public void record(RawRecord record, ArchiveListing.ArchiveObject where, long line) {
                    throw new FirstRecord(record);
                }

                @Override
                public void problem(ArchiveReader.ArchiveProblem problem) {
                    problems.add(problem.toString());
                    throw new FirstRecord(null);
                }
            });
        } catch (FirstRecord first) {
            timestamp = first.record == null ? null : first.record.timestamp();
        }
        probeBytes += bytesRead - before;
        firstTimestamps.put(object.key(), timestamp);
        return timestamp;
    }

    private ArchiveListing.Partition partition(String topic, int number) {
        for (ArchiveListing.Partition p : listing.partitions()) {
            if (p.topic().equals(topic) && p.partition() == number) {
                return p;
            }
        }
        return null;
    }

    private static long bytesOf(List<ArchiveListing.ArchiveObject> objects) {
        long bytes = 0;
        for (ArchiveListing.ArchiveObject object : objects) {
            bytes += object.size();
        }
        return bytes;
    }

    private Map<String, Long> marks(JsonNode live) {
        Map<String, Long> marks = new LinkedHashMap<>();
        if (live == null) {
            return marks;
        }
        JsonNode offsets = live.path(merge.rules().metadataField()).path("offsets");
        for (Iterator<Map.Entry<String, JsonNode>> it = offsets.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> mark = it.next();
            if (mark.getKey().lastIndexOf('/') > 0 && mark.getValue().canConvertToLong()) {
                marks.put(mark.getKey(), mark.getValue().asLong());
            }
        }
        return marks;
    }

    private static Long time(JsonNode value) {
        if (value.isNumber()) {
            return value.asLong();
        }
        if (value.isTextual()) {
            try {
                return Instant.parse(value.asText()).toEpochMilli();
            } catch (DateTimeParseException e) {
                return null;
            }
        }
        return null;
    }

    /** Keeps the id's records, converted; problems by object and line. */
    private final class Collector implements ArchiveReader.Handler {

        private final String id;
        private final byte[] idBytes;
        private final byte[] quotedBytes;
        private final List<String> problems;
        private final List<Found> found = new ArrayList<>();

        Collector(String id, List<String> problems) {
            this.id = id;
            this.idBytes = id.getBytes(StandardCharsets.UTF_8);
            this.quotedBytes = ("\"" + id + "\"").getBytes(StandardCharsets.UTF_8);
            this.problems = problems;
        }

        /** @return whether the raw key is the id, as a string or a JSON string */
        private boolean keyIsId(byte[] key) {
            return key != null && (Arrays.equals(key, idBytes) || Arrays.equals(key, quotedBytes));
        }

        private boolean mayBeId(byte[] key) {
            if (key == null) {
                return false;
            }
            for (int i = 0; i + idBytes.length <= key.length; i++) {
                if (Arrays.equals(key, i, i + idBytes.length, idBytes, 0, idBytes.length)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void record(RawRecord raw, ArchiveListing.ArchiveObject object, long line) throws InterruptedException {
            if (Thread.interrupted()) {
                throw new InterruptedException("stopped while reading " + object.key());
            }
            progress.record();
            if (idFromKey && !mayBeId(raw.key())) {
                return;
            }
            SinkRecord record;
            try {
                record = conversion.convert(raw);
            } catch (WorkerConversion.ConversionFailure e) {
                if (keyIsId(raw.key())) {
                    found.add(new Found(raw, object.key(), line, null, e.stage(), e.getMessage(), false));
                }
                return;
            }
            if (record == null) {
                if (keyIsId(raw.key())) {
                    found.add(new Found(raw, object.key(), line, null, null, null, true));
                }
                return;
            }
            OfflineMerge.Change change;
            try {
                change = merge.convert(record);
            } catch (BadRecordException e) {
                if (keyIsId(raw.key())) {
                    found.add(new Found(raw, object.key(), line, null, "record", e.getMessage(), false));
                }
                return;
            }
            if (change == null) {
                if (keyIsId(raw.key())) {
                    found.add(new Found(raw, object.key(), line, null, null, "a tombstone the sink ignores "
                        + "(merge.tombstone.behavior=ignore)", false));
                }
                return;
            }
            if (change.id().equals(id)) {
                found.add(new Found(raw, object.key(), line, change, null, null, false));
            }
        }

        @Override
        public void problem(ArchiveReader.ArchiveProblem problem) {
            problems.add(problem.toString());
        }
    }
}
