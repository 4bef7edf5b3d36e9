package io.github.requestmerge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

import javax.management.Attribute;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;


/**
 * What the merging sink's tasks in one Connect worker report over JMX (their own
 * {@code io.github.requestmerge:type=sink-task-metrics} beans, and the partitions their consumers
 * own), read by attaching to the worker's JVM by its pid, as {@code jconsole} would (a local JVM of
 * the same user; the worker needs no JMX port). Tests read it to know which path the connector took
 * (held documents, checkpoints, rewinds), and when to break something; never to time anything.
 *
 * <p>Thread-safety: for one thread at a time. Never call it while the worker is frozen (SIGSTOP):
 * the call would hang until the worker is thawed.
 */
public final class SinkTaskJmx implements AutoCloseable {

    /** One sink task's state as read at one moment. */
    public record Task(int id, long heldDocuments, long checkpoints, long rewinds, long bulkRequests,
                       long documentsWritten, long duplicates, String lastError, int assignedPartitions) {
    }

    private static final String[] ATTRIBUTES = {"HeldDocuments", "Checkpoints", "CheckpointRewinds", "BulkRequests",
        "DocumentsWritten", "EventsDuplicate", "ElasticsearchLastError"};

    private final long pid;
    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private SinkTaskJmx(long pid, JMXConnector connector) throws IOException {
        this.pid = pid;
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** Attaches to the worker's JVM (starting its local management agent if need be), or fails saying why. */
    public static SinkTaskJmx attach(long pid) {
        try {
            return new SinkTaskJmx(pid, JvmAttach.jmx(pid));
        } catch (Exception e) {
            throw new IllegalStateException("cannot attach to the Connect worker (pid " + pid + ") for its JMX: " + e, e);
        }
    }

    /**
     * @return the tasks of the connector that run in this worker now, by task id
     * @throws UncheckedIOException when the worker does not answer (it died)
     */
    public Map<Integer, Task> tasks(String connectorName) {
        Map<Integer, Task> tasks = new TreeMap<>();
        try {
            for (ObjectName name : server.queryNames(new ObjectName("io.github.requestmerge:type=sink-task-metrics,*"),
                    null)) {
                if (!connectorName.equals(unquoted(name.getKeyProperty("connector")))) {
                    continue;
                }
                int id = Integer.parseInt(unquoted(name.getKeyProperty("task")));
                Map<String, Object> values = new TreeMap<>();
                try {
                    for (Attribute attribute : server.getAttributes(name, ATTRIBUTES).asList()) {
                        values.put(attribute.getName(), attribute.getValue());
                    }
                } catch (InstanceNotFoundException e) {
                    continue; // the task stopped since the query
                }
                tasks.put(id, new Task(id, number(values, "HeldDocuments"), number(values, "Checkpoints"),
                    number(values, "CheckpointRewinds"), number(values, "BulkRequests"), number(values, "DocumentsWritten"),
                    number(values, "EventsDuplicate"), String.valueOf(values.get("ElasticsearchLastError")),
                    assignedPartitions(connectorName, id)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading the JMX of the Connect worker (pid " + pid + ")", e);
        } catch (JMException e) {
            throw new IllegalStateException("reading the JMX of the Connect worker (pid " + pid + ")", e);
        }
        return tasks;
    }

    /** @return the sum of one value over the tasks of the connector that run in this worker now */
    public long sum(String connectorName, ToLongFunction<Task> value) {
        return tasks(connectorName).values().stream().mapToLong(value).sum();
    }

    /** @return how many partitions the task's consumer owns now; -1 when the consumer is not (or no longer) there */
    private int assignedPartitions(String connectorName, int task) throws IOException, JMException {
        String clientId = "connector-consumer-" + connectorName + "-" + task;
        List<ObjectName> names = server.queryNames(new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,*"),
            null).stream().filter(name -> clientId.equals(unquoted(name.getKeyProperty("client-id")))).toList();
        if (names.isEmpty()) {
            return -1;
        }
        try {
            Object value = server.getAttribute(names.get(0), "assigned-partitions");
            return value instanceof Number number ? number.intValue() : -1;
        } catch (InstanceNotFoundException e) {
            return -1;
        }
    }

    private static String unquoted(String value) {
        return value != null && value.startsWith("\"") ? ObjectName.unquote(value) : value;
    }

    private static long number(Map<String, Object> values, String attribute) {
        Object value = values.get(attribute);
        return value instanceof Number number ? number.longValue() : 0;
    }

    @Override
    public void close() {
        try {
            connector.close();
        } catch (IOException e) {
            // the worker may be gone already
        }
    }
}
