package io.github.requestmerge.archive;

import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;

import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The objects of an archive, as one listing (ListObjectsV2, page by page) found them: grouped by topic
 * and partition, each partition's objects ordered by start offset (whatever paths a time layout spread
 * them over), with Confluent's keys objects paired with the objects they belong to. Files that are not
 * archive objects are counted and left alone; so are the headers objects. In a time layout whose paths
 * are record times, whole paths outside a time window are left out without being read. Immutable.
 */
public final class ArchiveListing {

    /** One object of records; {@code keysKey} is the Confluent keys object beside it, or null. */
    public record ArchiveObject(String key, String topic, int partition, long startOffset, long size, String keysKey) {
    }

    /** The objects of one topic-partition, by start offset. */
    public record Partition(String topic, int partition, List<ArchiveObject> objects) {

        /** @return the objects' size in bytes, as stored */
        public long bytes() {
            long bytes = 0;
            for (ArchiveObject object : objects) {
                bytes += object.size();
            }
            return bytes;
        }

        /** @return {@code topic/partition}, as the merged documents' marks name it */
        public String source() {
            return topic + "/" + partition;
        }
    }

    private final List<String> topics;
    private final List<Partition> partitions;
    private final long otherFiles;
    private final long skippedByTime;

    private ArchiveListing(List<String> topics, List<Partition> partitions, long otherFiles, long skippedByTime) {
        this.topics = topics;
        this.partitions = partitions;
        this.otherFiles = otherFiles;
        this.skippedByTime = skippedByTime;
    }

    /**
     * Lists the archive.
     *
     * @param topicFilter which of the archive's topics to take (e.g. those the sink reads)
     * @param from records before this epoch millis are not wanted (null: no bound); used to skip time paths
     * @param to records at or after this epoch millis are not wanted (null: no bound)
     * @throws UnrecoverableException when S3 refuses (access, bucket), or an outage outlasts the retry timeout
     */
    public static ArchiveListing list(S3Client s3, Retry retry, ArchiveSource source, Predicate<String> topicFilter,
                                      Long from, Long to) throws UnrecoverableException, InterruptedException {
        ArchiveLayout layout = source.layout();
        String bucket = source.s3().bucket();
        List<String> topics = new ArrayList<>();
        if (!source.topics().isEmpty()) {
            for (String topic : source.topics()) {
                if (topicFilter.test(topic) && !topics.contains(topic)) {
                    topics.add(topic);
                }
            }
        } else {
            for (String topic : topicsUnder(s3, retry, bucket, layout.root())) {
                if (source.topicsRegex().matcher(topic).matches() && topicFilter.test(topic)) {
                    topics.add(topic);
                }
            }
        }
        PathTimes pathTimes = layout.partitioning() == ArchiveLayout.Partitioning.TIME && source.recordTimePaths()
            && (from != null || to != null) ? new PathTimes(source.pathFormat(), source.zone()) : null;
        String extension = source.extension();
        String keysExtension = ".keys" + extension;
        Map<String, List<ArchiveObject>> byPartition = new TreeMap<>();
        long otherFiles = 0;
        long skippedByTime = 0;
        for (String topic : topics) {
            String prefix = layout.prefix(topic);
            List<S3Object> records = new ArrayList<>();
            Set<String> keys = new HashSet<>();
            String token = null;
            do {
                ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(prefix);
                if (token != null) {
                    request.continuationToken(token);
                }
                ListObjectsV2Request built = request.build();
                ListObjectsV2Response page = retry.call("listing s3://" + bucket + "/" + prefix, () -> s3.listObjectsV2(built));
                for (S3Object object : page.contents()) {
                    String key = object.key();
                    if (key.endsWith(keysExtension)) {
                        keys.add(key);
                    } else if (key.endsWith(ArchiveLayout.HEADERS_EXTENSION) || key.endsWith(".headers.json")) {
                        continue;
                    } else if (key.endsWith(extension) && ArchiveLayout.parse(key) != null
                        && ArchiveLayout.parse(key).topic().equals(topic)) {
                        records.add(object);
                    } else {
                        otherFiles++;
                    }
                }
                token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
            } while (token != null);
            for (S3Object object : records) {
                String key = object.key();
                if (pathTimes != null) {
                    int slash = key.lastIndexOf('/');
                    Long start = slash > prefix.length() ? pathTimes.start(key.substring(prefix.length(), slash)) : null;
                    if (start != null && (from != null && start + source.partitionDurationMs() <= from
                        || to != null && start >= to)) {
                        skippedByTime++;
                        continue;
                    }
                }
                ArchiveLayout.ObjectName name = ArchiveLayout.parse(key);
                String keysKey = key.substring(0, key.length() - extension.length()) + keysExtension;
                ArchiveObject archived = new ArchiveObject(key, topic, name.partition(), name.startOffset(), object.size(),
                    keys.contains(keysKey) ? keysKey : null);
                byPartition.computeIfAbsent(topic + "\u0000" + String.format("%010d", name.partition()),
                    k -> new ArrayList<>()).add(archived);
            }
        }
        List<Partition> partitions = new ArrayList<>();
        for (List<ArchiveObject> objects : byPartition.values()) {
            objects.sort(Comparator.comparingLong(ArchiveObject::startOffset).thenComparing(ArchiveObject::key));
            ArchiveObject first = objects.get(0);
            partitions.add(new Partition(first.topic(), first.partition(), List.copyOf(objects)));
        }
        return new ArchiveListing(List.copyOf(topics), List.copyOf(partitions), otherFiles, skippedByTime);
    }

    /** @return the names of the folders right under {@code root}: the topics of an archive selected by a regex */
    private static List<String> topicsUnder(S3Client s3, Retry retry, String bucket, String root)
        throws UnrecoverableException, InterruptedException {
        List<String> topics = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(bucket).prefix(root).delimiter("/");
            if (token != null) {
                request.continuationToken(token);
            }
            ListObjectsV2Request built = request.build();
            ListObjectsV2Response page = retry.call("listing the topics in s3://" + bucket + "/" + root,
                () -> s3.listObjectsV2(built));
            for (CommonPrefix prefix : page.commonPrefixes()) {
                String name = prefix.prefix().substring(root.length());
                topics.add(name.endsWith("/") ? name.substring(0, name.length() - 1) : name);
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return topics;
    }

    /** @return the topics listed, in the order of the configuration */
    public List<String> topics() {
        return topics;
    }

    /** @return the partitions found, by topic and partition number */
    public List<Partition> partitions() {
        return partitions;
    }

    /** @return the number of record objects to read */
    public long objectCount() {
        long count = 0;
        for (Partition partition : partitions) {
            count += partition.objects().size();
        }
        return count;
    }

    /** @return their size in bytes, as stored */
    public long bytes() {
        long bytes = 0;
        for (Partition partition : partitions) {
            bytes += partition.bytes();
        }
        return bytes;
    }

    /** @return files under the topics' prefixes that are not archive objects (left alone) */
    public long otherFiles() {
        return otherFiles;
    }

    /** @return objects left out because their time path lies outside the time window */
    public long skippedByTime() {
        return skippedByTime;
    }

    /** Reads a time layout's path back into the start of its window. */
    static final class PathTimes {

        private final DateTimeFormatter parser;
        private final ZoneId zone;

        PathTimes(String pathFormat, ZoneId zone) {
            this.zone = zone;
            this.parser = new DateTimeFormatterBuilder().append(ArchiveLayout.formatter(pathFormat))
                .parseDefaulting(ChronoField.MONTH_OF_YEAR, 1)
                .parseDefaulting(ChronoField.DAY_OF_MONTH, 1)
                .parseDefaulting(ChronoField.HOUR_OF_DAY, 0)
                .parseDefaulting(ChronoField.MINUTE_OF_HOUR, 0)
                .toFormatter(Locale.ROOT);
        }

        /** @return the epoch millis the path stands for, or null when it cannot be read (then it is not skipped) */
        Long start(String path) {
            try {
                TemporalAccessor parsed = parser.parse(path);
                return LocalDateTime.from(parsed).atZone(zone).toInstant().toEpochMilli();
            } catch (RuntimeException e) {
                return null;
            }
        }
    }
}
