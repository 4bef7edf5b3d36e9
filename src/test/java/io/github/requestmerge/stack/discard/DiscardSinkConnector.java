package io.github.requestmerge.stack.discard;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

/**
 * A sink that drops every record: the read ceiling of {@code bin/bench}. Run through the same worker,
 * converters, transforms and consumer settings as the merging sink, it measures what consuming and
 * converting a backlog costs when the sink itself costs nothing. Test-only: the stack's worker loads it
 * from a plugin directory of its own ({@code DiscardSinkPlugin}), never from the shipped component.
 * Any setting is accepted and ignored, so the merging sink's config can be used as it is.
 */
public final class DiscardSinkConnector extends SinkConnector {

    private Map<String, String> config;

    @Override
    public void start(Map<String, String> props) {
        config = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return DiscardSinkTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>();
        for (int i = 0; i < maxTasks; i++) {
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return new ConfigDef();
    }

    @Override
    public String version() {
        return DiscardSinkTask.VERSION;
    }
}
