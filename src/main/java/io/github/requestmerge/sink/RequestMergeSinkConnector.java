package io.github.requestmerge.sink;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.Config;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigValue;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.Version;
import io.github.requestmerge.elastic.ClusterProbe;

/**
 * The merging Elasticsearch sink: one merged document per request id, exactly once. Thin on
 * purpose: it validates configuration (keys, then cross-field rules, then whether the cluster
 * answers) and hands each task the same configuration; the work happens in
 * {@link RequestMergeSinkTask}. Scale by adding partitions and tasks.
 */
public class RequestMergeSinkConnector extends SinkConnector {

    private static final Logger log = LoggerFactory.getLogger(RequestMergeSinkConnector.class);

    static final String TASK_ID = "task.id";

    private Map<String, String> props;

    @Override
    public String version() {
        return Version.get();
    }

    @Override
    public void start(Map<String, String> props) {
        new RequestMergeSinkConfig(props);
        this.props = Map.copyOf(props);
    }

    @Override
    public Class<? extends Task> taskClass() {
        return RequestMergeSinkTask.class;
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

    @Override
    public ConfigDef config() {
        return RequestMergeSinkConfig.CONFIG_DEF;
    }

    /**
     * Per-key validation first; then rules spanning keys, each reported against the key to fix; and
     * only when all that passes, whether the cluster answers with these settings, reported against
     * {@code connection.urls} (or the credential keys for an authentication failure). A cluster that
     * does not answer at all right now is not an error: connectors are often created before their
     * cluster is up, and the tasks wait for it. That is logged as a warning.
     */
    @Override
    public Config validate(Map<String, String> connectorConfigs) {
        Config config = super.validate(connectorConfigs);
        Map<String, ConfigValue> values = new HashMap<>();
        for (ConfigValue value : config.configValues()) {
            values.put(value.name(), value);
        }
        for (String key : RequestMergeSinkConfig.CONFIG_DEF.names()) {
            ConfigValue value = values.get(key);
            if (value != null && !value.errorMessages().isEmpty()) {
                return config;
            }
        }
        RequestMergeSinkConfig parsed;
        try {
            parsed = new RequestMergeSinkConfig(connectorConfigs);
        } catch (org.apache.kafka.common.config.ConfigException e) {
            // The constructor reports the first cross-field problem; report them all, each at its key.
            parsed = null;
        }
        if (parsed == null) {
            RequestMergeSinkConfig lenient = RequestMergeSinkConfig.withoutCrossFieldChecks(connectorConfigs);
            lenient.crossFieldProblems().forEach((key, problem) -> values.get(key).addErrorMessage(problem));
            return config;
        }
        ClusterProbe.Problem problem = ClusterProbe.check(parsed.clientSettings(),
            parsed.requiredPrivileges(topics(connectorConfigs)));
        if (problem != null && !problem.isError()) {
            log.warn("{}; the connector's tasks will wait for it", problem.message());
        } else if (problem != null) {
            values.get(keyAtFault(parsed, problem)).addErrorMessage(problem.message());
        }
        return config;
    }

    /** @return the topics listed in {@code topics}; empty with {@code topics.regex} */
    private static List<String> topics(Map<String, String> connectorConfigs) {
        String listed = connectorConfigs.getOrDefault(SinkConnector.TOPICS_CONFIG, "");
        return Arrays.stream(listed.split(",")).map(String::trim).filter(topic -> !topic.isEmpty()).toList();
    }

    /** @return the key a problem is reported against: the credentials, the CA file or the URLs */
    static String keyAtFault(RequestMergeSinkConfig config, ClusterProbe.Problem problem) {
        return switch (problem.kind()) {
            case AUTHENTICATION, PRIVILEGES -> config.credentialsKey();
            case TLS -> config.getString(RequestMergeSinkConfig.SSL_TRUSTSTORE_PATH) != null
                && !config.getString(RequestMergeSinkConfig.SSL_TRUSTSTORE_PATH).isBlank()
                ? RequestMergeSinkConfig.SSL_TRUSTSTORE_PATH : RequestMergeSinkConfig.SSL_CA_PATH;
            default -> RequestMergeSinkConfig.CONNECTION_URLS;
        };
    }
}
