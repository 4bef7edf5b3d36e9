package io.github.requestmerge.archive;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.Version;

/**
 * The raw archive sink: every record of its topics, exactly as produced, exactly once, in S3, in the
 * object layout of Confluent's S3 sink (gzip JSON lines, {@link RawRecordCodec}). Thin on purpose: it
 * validates configuration (keys, then cross-field rules, then whether the bucket can be written) and
 * hands each task the same configuration; the work happens in {@link RawArchiveSinkTask}.
 */
public class RawArchiveSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(RawArchiveSinkConnector.class);

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new RawArchiveConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RawArchiveSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            config.put(RawArchiveSinkTask.TASK_ID, Integer.toString(i));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return RawArchiveConfig.CONFIG_DEF;
    }

    /**
     * Per-key validation first; then rules spanning keys, each reported against the key to fix; and only
     * when all that passes, a probe that the bucket can be written (a small object put and deleted under
     * topics.dir), reported against s3.bucket.name (no such bucket), aws.access.key.id or
     * aws.secret.access.key (unknown key, wrong secret, access denied), s3.region, s3.conditional.writes.enabled
     * (a store that does not honour If-None-Match) or store.url (an unknown host, not S3). A store that does
     * not answer right now is not an error: connectors are often created before their store is up, and the
     * tasks wait for it. That is logged as a warning.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        for (ConfigValue value : config.configValues()) {
            values.put(value.name(), value);
        }
        for (String key : RawArchiveConfig.CONFIG_DEF.names()) {
            ConfigValue value = values.get(key);
            if (value != null && !value.errorMessages().isEmpty()) {
                return config;
            }
        }
        RawArchiveConfig parsed;
        try {
            parsed = new RawArchiveConfig(connectorConfigs);
        } catch (ConfigException e) {
            // The constructor reports the first cross-field problem; report them all, each at its key.
            RawArchiveConfig.withoutCrossFieldChecks(connectorConfigs).crossFieldProblems()
                .forEach((key, problem) -> values.get(key).addErrorMessage(problem));
            return config;
        }
        ArchiveBucketProbe.Problem problem = ArchiveBucketProbe.check(parsed);
        if (problem != null && !problem.error()) {
            log.warn("{}; the connector's tasks will wait for it", problem.message());
        } else if (problem != null) {
            values.get(problem.key()).addErrorMessage(problem.message());
        }
        return config;
    }
}
