package io.github.requestmerge.archive;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.connect.data.Schema;
import org.apache.kafka.connect.sink.SinkRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.github.requestmerge.bench.Workload;
import io.github.requestmerge.testing.UserAgentCorpus;

/**
 * The archive sink's per-record path on one thread (so records/s is per core): a sink record with byte
 * key and value as the ByteArrayConverter hands it over, taken as raw bytes ({@link SinkRecordBytes}),
 * encoded as a line ({@link RawRecordCodec}, which checks whether the value is one line of JSON to embed)
 * and compressed into its partition's open object ({@link ArchivePartitionWriter}: gzip, objects closed at
 * flush.size, pieces handed to an upload queue that only counts them). The events are the end-to-end
 * benchmark's ({@code bench.Workload}): full first events with real user agents, then small deltas. At
 * the end the compressed bytes per record are printed. Run with {@code bin/bench-archive}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ArchiveEncodeBenchmark {

    private static final int EVENTS = 1 << 16;
    private static final int PARTITIONS = 4;

    @State(Scope.Thread)
    public static class Archive {

        /** gzip level ({@code s3.compression.level}): -1 is zlib's default (6). */
        @Param({"-1", "1"})
        public int level;

        private final SinkRecord[] records = new SinkRecord[EVENTS];
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(2048);
        private ArchivePartitionWriter[] writers;
        private final Counting uploads = new Counting();
        private long lineBytes;
        private long count;
        private int position;
        private long offset;

        @Setup(Level.Trial)
        public void setUp() {
            List<String> agents = UserAgentCorpus.real();
            Workload workload = new Workload("r", -1, 0, 6, 10_000, agents, 42L);
            long time = 1_796_000_000_000L;
            for (int i = 0; i < EVENTS; i++) {
                Workload.Event event = workload.next();
                int partition = Math.floorMod(event.id().hashCode(), PARTITIONS);
                records[i] = new SinkRecord("requests", partition, Schema.OPTIONAL_BYTES_SCHEMA,
                    event.id().getBytes(StandardCharsets.UTF_8), Schema.OPTIONAL_BYTES_SCHEMA,
                    event.json().getBytes(StandardCharsets.UTF_8), i, time + i * 3L, TimestampType.CREATE_TIME);
            }
            writers = new ArchivePartitionWriter[PARTITIONS];
            ArchiveRotation rotation = new ArchiveRotation(10_000, -1, 64L << 20, -1, false);
            for (int p = 0; p < PARTITIONS; p++) {
                writers[p] = new ArchivePartitionWriter(new TopicPartition("requests", p), p,
                    ArchiveLayout.byPartition("topics"), rotation, 0, level, 25 << 20, uploads, reason -> { });
            }
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf(Locale.ROOT, "%nlevel %d: %,d records, %.1f bytes of line per record, %.1f compressed bytes "
                + "per record (closed objects only), ratio %.2f%n", level, count, (double) lineBytes / count,
                (double) uploads.bytes / uploads.records, (double) uploads.lineBytes / uploads.bytes);
        }
    }

    /** Counts what would be uploaded. */
    static final class Counting implements UploadQueue {
        long bytes;
        long records;
        long lineBytes;

        @Override
        public void send(UploadItem item) {
            bytes += item.bytes().length;
            if (item.last()) {
                records += item.object().records();
                lineBytes += item.object().lineBytes();
            }
        }

        @Override
        public void cancel(TopicPartition partition, long epoch) {
        }
    }

    /** One record through the task thread's whole path; a record's offset keeps growing, as in a partition. */
    @Benchmark
    public int archiveOneRecord(Archive archive) {
        SinkRecord template = archive.records[archive.position];
        archive.position = (archive.position + 1) & (EVENTS - 1);
        long offset = archive.offset++;
        SinkRecord record = new SinkRecord(template.topic(), template.kafkaPartition(), template.keySchema(),
            template.key(), template.valueSchema(), template.value(), offset, template.timestamp(),
            TimestampType.CREATE_TIME);
        RawRecord raw = SinkRecordBytes.of(record);
        archive.line.reset();
        RawRecordCodec.write(raw, archive.line);
        archive.writers[record.kafkaPartition()].write(offset, raw.timestamp(), archive.line, 0);
        archive.lineBytes += archive.line.size();
        archive.count++;
        return archive.line.size();
    }
}
