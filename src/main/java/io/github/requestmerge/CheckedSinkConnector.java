package io.github.requestmerge;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What both sink connectors do besides their work, which happens in their tasks: validate a configuration (each
 * key, then the rules spanning keys, then a probe of the system it writes to, every problem against the key to
 * fix), and hand each task the same configuration with its number.
 *
 * @param <C> the connector's configuration
 */
public abstract class CheckedSinkConnector<C extends CheckedConfig> extends SinkConnector {

    /** The key under which each task's configuration holds its number (0, 1, ...): its name in logs and metrics. */
    public static final String TASK_ID = "task.id";

    private final Logger log = LoggerFactory.getLogger(getClass());

    private Map<String, String> props;

    /**
     * What a probe found wrong, against the key to fix.
     *
     * @param error true when creating the connector should be refused; false for a warning (a system that does not
     *     answer right now)
     */
    public record Problem(String key, String message, boolean error) {
    }

    /** @return the configuration of {@code props}; with {@code crossFieldChecks}, throws its first problem */
    protected abstract C parse(Map<String, String> props, boolean crossFieldChecks);

    /**
     * Probes the system the connector writes to with a configuration that passed every other check, once per
     * request.
     *
     * @return what is wrong, or null
     */
    protected abstract Problem probe(C config, Map<String, String> props);

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        parse(props, true);
        this.props = Map.copyOf(props);
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        List<Map<String, String>> configs = new ArrayList<>(maxTasks);
        for (int i = 0; i < maxTasks; i++) {
            Map<String, String> config = new HashMap<>(props);
            config.put(TASK_ID, Integer.toString(i));
            configs.add(config);
        }
        return configs;
    }

    @Override
    public void stop() {
    }

    /**
     * Per-key validation first; then the rules spanning keys, each reported against the key to fix; and only when
     * all that passes, the {@link #probe}. A system that does not answer right now is not an error: connectors are
     * often created before what they write to is up, and the tasks wait for it. That is logged as a warning.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        for (ConfigValue value : config.configValues()) {
            values.put(value.name(), value);
        }
        for (String key : config().names()) {
            ConfigValue value = values.get(key);
            if (value != null && !value.errorMessages().isEmpty()) {
                return config;
            }
        }
        C parsed = parse(connectorConfigs, false);
        Map<String, String> problems = parsed.crossFieldProblems();
        if (!problems.isEmpty()) {
            problems.forEach((key, problem) -> values.get(key).addErrorMessage(problem));
            return config;
        }
        Problem problem = probe(parsed, connectorConfigs);
        if (problem != null && !problem.error()) {
            log.warn("{}; the connector's tasks will wait for it", problem.message());
        } else if (problem != null) {
            values.get(problem.key()).addErrorMessage(problem.message());
        }
        return config;
    }
}
