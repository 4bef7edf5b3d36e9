package io.github.requestmerge.archive;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One Kafka record exactly as it was produced: where it was (topic, partition, offset), its timestamp
 * and timestamp type, and its key, headers and value as bytes ({@code null} where Kafka had null).
 * Everything a replay needs to hand the merge the very record the live connector saw.
 *
 * @param timestamp epoch millis, or null when the record has none
 * @param timestampType {@code CreateTime}, {@code LogAppendTime} or {@code NoTimestampType}, as Kafka names them
 */
public record RawRecord(String topic, int partition, long offset, Long timestamp, String timestampType, byte[] key,
                        List<Header> headers, byte[] value) {

    /** A record header: its name and value bytes (null when Kafka had null). */
    public record Header(String key, byte[] value) {

        public Header {
            Objects.requireNonNull(key, "key");
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Header h && key.equals(h.key) && Arrays.equals(value, h.value);
        }

        @Override
        public int hashCode() {
            return 31 * key.hashCode() + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return key + "=" + (value == null ? "null" : value.length + " bytes");
        }
    }

    public RawRecord {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(timestampType, "timestampType");
        headers = headers == null ? List.of() : List.copyOf(headers);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof RawRecord r && topic.equals(r.topic) && partition == r.partition && offset == r.offset
            && Objects.equals(timestamp, r.timestamp) && timestampType.equals(r.timestampType)
            && Arrays.equals(key, r.key) && headers.equals(r.headers) && Arrays.equals(value, r.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(topic, partition, offset);
    }

    /** Names the record by place only: its content is personal data. */
    @Override
    public String toString() {
        return "topic " + topic + " partition " + partition + " offset " + offset;
    }
}
