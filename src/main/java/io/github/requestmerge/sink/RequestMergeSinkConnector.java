package io.github.requestmerge.sink;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.sink.SinkConnector;

import io.github.requestmerge.CheckedSinkConnector;
import io.github.requestmerge.elastic.ClusterProbe;

/**
 * The merging Elasticsearch sink: one merged document per request id, exactly once. Thin on
 * purpose: it validates configuration (keys, then cross-field rules, then whether the cluster
 * answers) and hands each task the same configuration; the work happens in
 * {@link RequestMergeSinkTask}. Scale by adding partitions and tasks.
 */
public class RequestMergeSinkConnector extends CheckedSinkConnector<RequestMergeSinkConfig> {

    @Override
    public Class<? extends Task> taskClass() {
        return RequestMergeSinkTask.class;
    }

    @Override
    public ConfigDef config() {
        return RequestMergeSinkConfig.CONFIG_DEF;
    }

    @Override
    protected RequestMergeSinkConfig parse(Map<String, String> props, boolean crossFieldChecks) {
        return crossFieldChecks ? new RequestMergeSinkConfig(props) : RequestMergeSinkConfig.withoutCrossFieldChecks(props);
    }

    /**
     * Whether the cluster answers with these settings and grants what the sink needs, reported against
     * {@code connection.urls}, the credential keys (authentication, a missing privilege) or the CA or truststore
     * (a certificate not trusted). A cluster that does not answer at all right now is a warning.
     */
    @Override
    protected Problem probe(RequestMergeSinkConfig config, Map<String, String> props) {
        ClusterProbe.Problem problem = ClusterProbe.check(config.clientSettings(), config.requiredPrivileges(topics(props)));
        return problem == null ? null : new Problem(config.keyAtFault(problem), problem.message(), problem.isError());
    }

    /** @return the topics listed in {@code topics}; empty with {@code topics.regex} */
    private static List<String> topics(Map<String, String> connectorConfigs) {
        String listed = connectorConfigs.getOrDefault(SinkConnector.TOPICS_CONFIG, "");
        return Arrays.stream(listed.split(",")).map(String::trim).filter(topic -> !topic.isEmpty()).toList();
    }
}
