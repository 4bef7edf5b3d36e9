package io.github.requestmerge.archive;

import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;

import io.github.requestmerge.CheckedSinkConnector;

/**
 * The raw archive sink: every record of its topics, exactly as produced, exactly once, in S3, in the
 * object layout of Confluent's S3 sink (gzip JSON lines, {@link RawRecordCodec}). Thin on purpose: it
 * validates configuration (keys, then cross-field rules, then whether the bucket can be written) and
 * hands each task the same configuration; the work happens in {@link RawArchiveSinkTask}.
 */
public class RawArchiveSinkConnector extends CheckedSinkConnector<RawArchiveConfig> {

    @Override
    public Class<? extends Task> taskClass() {
        return RawArchiveSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return RawArchiveConfig.CONFIG_DEF;
    }

    @Override
    protected RawArchiveConfig parse(Map<String, String> props, boolean crossFieldChecks) {
        return crossFieldChecks ? new RawArchiveConfig(props) : RawArchiveConfig.withoutCrossFieldChecks(props);
    }

    /**
     * Whether the bucket can be written (a small object put and deleted under topics.dir), reported against
     * s3.bucket.name (no such bucket), aws.access.key.id or aws.secret.access.key (unknown key, wrong secret, access
     * denied), s3.region, s3.conditional.writes.enabled (a store that does not honour If-None-Match) or store.url
     * (an unknown host, not S3). A store that does not answer right now is a warning.
     */
    @Override
    protected Problem probe(RawArchiveConfig config, Map<String, String> props) {
        return ArchiveBucketProbe.check(config);
    }
}
