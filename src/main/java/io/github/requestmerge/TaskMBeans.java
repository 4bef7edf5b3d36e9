package io.github.requestmerge;

import java.lang.management.ManagementFactory;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers a task's metrics bean on the platform MBean server as
 * {@code io.github.requestmerge:type=<type>,connector="<connector>",task="<task>"}, as both sink tasks do. A task
 * whose bean cannot be registered runs on without it (a warning says so): metrics are never worth a failed task.
 */
public final class TaskMBeans {

    private static final Logger log = LoggerFactory.getLogger(TaskMBeans.class);

    private TaskMBeans() {
    }

    /**
     * Registers {@code bean}; a stale one of the same name (a task restarted in this JVM) is replaced.
     *
     * @return its name, to unregister it with; null when it could not be registered
     */
    public static ObjectName register(Object bean, String type, String connector, String task) {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("io.github.requestmerge:type=" + type + ",connector="
                + ObjectName.quote(connector) + ",task=" + ObjectName.quote(task));
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(bean, name);
            return name;
        } catch (JMException e) {
            log.warn("Could not register JMX metrics for connector {} task {}: {}", connector, task, e.toString());
            return null;
        }
    }

    /** Unregisters the bean {@link #register} named {@code name}; nothing when null or already gone. */
    public static void unregister(ObjectName name) {
        if (name != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(name);
            } catch (JMException e) {
                // already gone
            }
        }
    }
}
