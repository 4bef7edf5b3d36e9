package io.github.requestmerge.stack.discard;

import java.util.Collection;
import java.util.Map;

import org.apache.kafka.connect.sink.SinkRecord;
import org.apache.kafka.connect.sink.SinkTask;

/**
 * The task of {@link DiscardSinkConnector}: {@code put} does nothing, so Connect commits every record it
 * delivered. How many it delivered is Connect's own metric ({@code sink-record-send-total} of the task's
 * {@code kafka.connect:type=sink-task-metrics} MBean), counted after {@code put} returns.
 */
public final class DiscardSinkTask extends SinkTask {

    static final String VERSION = "test";

    @Override
    public void start(Map<String, String> props) {
    }

    @Override
    public void put(Collection<SinkRecord> records) {
    }

    @Override
    public void stop() {
    }

    @Override
    public String version() {
        return VERSION;
    }
}
