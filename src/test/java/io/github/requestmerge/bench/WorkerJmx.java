package io.github.requestmerge.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.remote.JMXConnector;


/**
 * The Connect worker's JMX, reached by attaching to its PID (a local JVM of the same user; the
 * worker needs no JMX port): the sink tasks' own metrics ({@code SinkTaskMetrics}), heap and GC.
 * Used by one thread at a time (the benchmark's or the quickstart's main thread).
 */
import io.github.requestmerge.testing.JvmAttach;

public final class WorkerJmx implements AutoCloseable {

    /** The sink's counters, summed over tasks by {@link #sinkTotals}. */
    static final List<String> COUNTERS = List.of("EventsReceived", "EventsMerged", "EventsDuplicate", "EventsRejected",
        "DocumentsWritten", "DocumentsDeleted", "WriteConflicts", "CreateConflicts", "BulkRequests", "MultiGetRequests",
        "MultiGetDocuments", "CacheHits", "CacheMisses", "CacheSize", "CacheBytes");
    /** Per-task gauges, reported per task and as the maximum over tasks. */
    static final List<String> GAUGES = List.of("BulkLatencyAvgMs", "BulkLatencyMaxMs", "ReportingLagP50Ms",
        "ReportingLagP95Ms", "ReportingLagP99Ms", "ReportingLagMaxMs", "CoalescingRatio", "BufferedEvents");

    /**
     * The checkpointing sink's attributes (counters, and the dirty documents' gauge), read when the sink
     * has them: an older sink has none, and then they are left out rather than reported as zeros.
     */
    static final List<String> OPTIONAL = List.of("Checkpoints", "CheckpointRewinds", "HeldDocuments");

    private final JMXConnector connector;
    private final MBeanServerConnection server;

    private WorkerJmx(JMXConnector connector) throws IOException {
        this.connector = connector;
        this.server = connector.getMBeanServerConnection();
    }

    /** @return the worker's JMX, or null (saying why on stderr) when the JVM cannot be attached to */
    public static WorkerJmx attach(long pid) {
        try {
            return new WorkerJmx(JvmAttach.jmx(pid));
        } catch (Exception | LinkageError e) {
            System.err.println("Cannot attach to the worker (pid " + pid + ") for its JMX metrics: " + e
                + "; going on without the sink's own metrics.");
            return null;
        }
    }

    /**
     * @return for diagnostics, every MBean matching the pattern with the given attributes, as text lines
     *     (e.g. the connector's consumers' per-partition lag and assignment)
     */
    List<String> dump(String pattern, String... attributes) throws IOException, JMException {
        List<String> lines = new ArrayList<>();
        for (ObjectName name : new java.util.TreeSet<>(server.queryNames(new ObjectName(pattern), null))) {
            StringBuilder line = new StringBuilder(name.getCanonicalKeyPropertyListString());
            for (String attribute : attributes) {
                Object value;
                try {
                    value = server.getAttribute(name, attribute);
                } catch (JMException e) {
                    value = "-";
                }
                line.append(' ').append(attribute).append('=').append(value);
            }
            lines.add(line.toString());
        }
        return lines;
    }

    /** @return every attribute of each sink task of the connector, as text, by task id (for diagnostics) */
    Map<String, String> sinkTaskStates(String connectorName) throws IOException, JMException {
        Map<String, String> tasks = new TreeMap<>();
        String quoted = ObjectName.quote(connectorName);
        for (ObjectName name : server.queryNames(new ObjectName("io.github.requestmerge:type=sink-task-metrics,*"), null)) {
            if (!quoted.equals(name.getKeyProperty("connector"))) {
                continue;
            }
            StringBuilder text = new StringBuilder();
            for (var info : server.getMBeanInfo(name).getAttributes()) {
                Object value;
                try {
                    value = server.getAttribute(name, info.getName());
                } catch (JMException e) {
                    value = e.toString();
                }
                text.append(text.length() == 0 ? "" : ", ").append(info.getName()).append('=').append(value);
            }
            tasks.put(ObjectName.unquote(name.getKeyProperty("task")), text.toString());
        }
        return tasks;
    }

    /** @return attribute values of each task of the connector, by task id */
    Map<String, Map<String, Number>> sinkTasks(String connectorName) throws IOException, JMException {
        Map<String, Map<String, Number>> tasks = new TreeMap<>();
        String quoted = ObjectName.quote(connectorName);
        for (ObjectName name : server.queryNames(new ObjectName("io.github.requestmerge:type=sink-task-metrics,*"), null)) {
            if (!quoted.equals(name.getKeyProperty("connector"))) {
                continue;
            }
            Map<String, Number> values = new LinkedHashMap<>();
            List<String> attributes = new ArrayList<>(COUNTERS);
            attributes.addAll(GAUGES);
            attributes.addAll(OPTIONAL);
            // getAttributes leaves out what the MBean does not have.
            for (var attribute : server.getAttributes(name, attributes.toArray(new String[0])).asList()) {
                if (attribute.getValue() instanceof Number) {
                    values.put(attribute.getName(), (Number) attribute.getValue());
                }
            }
            tasks.put(ObjectName.unquote(name.getKeyProperty("task")), values);
        }
        return tasks;
    }

    /** @return the counters summed over the connector's tasks, and the gauges' maximum over them */
    public Map<String, Number> sinkTotals(String connectorName) throws IOException, JMException {
        return totals(sinkTasks(connectorName));
    }

    static Map<String, Number> totals(Map<String, Map<String, Number>> tasks) {
        Map<String, Number> totals = new LinkedHashMap<>();
        for (Map<String, Number> task : tasks.values()) {
            for (String counter : COUNTERS) {
                totals.merge(counter, task.getOrDefault(counter, 0L).longValue(), (a, b) -> a.longValue() + b.longValue());
            }
            for (String gauge : GAUGES) {
                totals.merge(gauge, task.getOrDefault(gauge, 0L), (a, b) -> a.doubleValue() >= b.doubleValue() ? a : b);
            }
            for (String optional : OPTIONAL) {
                if (task.containsKey(optional)) {
                    totals.merge(optional, task.get(optional).longValue(), (a, b) -> a.longValue() + b.longValue());
                }
            }
        }
        return totals;
    }

    /**
     * @return the worker's own metrics of the connector's tasks, by task id: how long offset commits
     *     take (they include the sink's {@code preCommit}, which blocks the task thread), how long
     *     {@code put} takes, and the share of time tasks ran; Connect's metrics cover its last
     *     sample windows (about a minute)
     */
    Map<String, Map<String, Number>> connectTasks(String connectorName) throws IOException, JMException {
        Map<String, Map<String, Number>> tasks = new TreeMap<>();
        Map<String, List<String>> groups = Map.of(
            "connector-task-metrics", List.of("offset-commit-avg-time-ms", "offset-commit-max-time-ms", "running-ratio",
                "pause-ratio", "batch-size-avg", "batch-size-max"),
            "sink-task-metrics", List.of("put-batch-avg-time-ms", "put-batch-max-time-ms", "offset-commit-completion-total",
                "offset-commit-skip-total"));
        for (Map.Entry<String, List<String>> group : groups.entrySet()) {
            for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=" + group.getKey() + ",connector="
                + connectorName + ",*"), null)) {
                Map<String, Number> values = tasks.computeIfAbsent(name.getKeyProperty("task"), task -> new TreeMap<>());
                for (var attribute : server.getAttributes(name, group.getValue().toArray(new String[0])).asList()) {
                    if (attribute.getValue() instanceof Number) {
                        values.put(attribute.getName(), (Number) attribute.getValue());
                    }
                }
            }
        }
        return tasks;
    }

    /**
     * @return records Connect handed to the connector's sink tasks' {@code put} and returned from it, summed over
     *     the tasks (Connect's own {@code sink-record-send-total}, for any sink connector); 0 before the tasks run
     */
    long recordsPut(String connectorName) throws IOException, JMException {
        double sum = 0;
        for (ObjectName name : server.queryNames(new ObjectName("kafka.connect:type=sink-task-metrics,connector="
            + connectorName + ",task=*"), null)) {
            Object value = server.getAttribute(name, "sink-record-send-total");
            sum += value instanceof Number && Double.isFinite(((Number) value).doubleValue()) ? ((Number) value).doubleValue() : 0;
        }
        return Math.round(sum);
    }

    /**
     * @return the rebalances the connector's task consumers took part in (summed over them) and the longest one,
     *     in ms: {@code {count, longestMs}}, from each consumer's coordinator metrics
     */
    long[] consumerRebalances(String connectorName) throws IOException, JMException {
        long[] rebalances = {0, 0};
        String clientPrefix = "connector-consumer-" + connectorName + "-";
        for (ObjectName name : server.queryNames(new ObjectName("kafka.consumer:type=consumer-coordinator-metrics,"
            + "client-id=" + clientPrefix + "*"), null)) {
            // Only this connector's tasks (connector-consumer-<name>-<task>), not another connector named <name>-...
            if (!name.getKeyProperty("client-id").substring(clientPrefix.length()).matches("[0-9]+")) {
                continue;
            }
            Object total = server.getAttribute(name, "rebalance-total");
            Object longest = server.getAttribute(name, "rebalance-latency-max");
            rebalances[0] += total instanceof Number ? Math.round(((Number) total).doubleValue()) : 0;
            if (longest instanceof Number && Double.isFinite(((Number) longest).doubleValue())) {
                rebalances[1] = Math.max(rebalances[1], Math.round(((Number) longest).doubleValue()));
            }
        }
        return rebalances;
    }

    /** @return every attribute of the sink's metrics summed over the connector's tasks (gauges included) */
    Map<String, Number> sinkSums(String connectorName) throws IOException, JMException {
        Map<String, Number> sums = new LinkedHashMap<>();
        for (Map<String, Number> task : sinkTasks(connectorName).values()) {
            task.forEach((key, value) -> sums.merge(key, value.longValue(), (a, b) -> a.longValue() + b.longValue()));
        }
        return sums;
    }

    /** @return heap used, in bytes */
    long heapUsed() throws IOException, JMException {
        return (Long) heap().get("used");
    }

    /** @return the most heap the worker may use (-Xmx), in bytes */
    long heapMax() throws IOException, JMException {
        return (Long) heap().get("max");
    }

    private CompositeData heap() throws IOException, JMException {
        return (CompositeData) server.getAttribute(new ObjectName(ManagementFactory.MEMORY_MXBEAN_NAME), "HeapMemoryUsage");
    }

    /** @return collections and milliseconds spent collecting, over all of the worker's collectors */
    long[] gc() throws IOException, JMException {
        long[] gc = new long[2];
        for (ObjectName name : server.queryNames(new ObjectName(ManagementFactory.GARBAGE_COLLECTOR_MXBEAN_DOMAIN_TYPE
            + ",*"), null)) {
            gc[0] += (Long) server.getAttribute(name, "CollectionCount");
            gc[1] += (Long) server.getAttribute(name, "CollectionTime");
        }
        return gc;
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
