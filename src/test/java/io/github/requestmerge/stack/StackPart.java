package io.github.requestmerge.stack;

import java.nio.file.Path;
import java.time.Duration;

/**
 * What every running part of the stack shares: the JVM it runs in, how long it took to become
 * ready, and stopping it. Subclasses set {@link #jvm} when they start it and {@link #startup} once
 * the part is ready.
 */
abstract class StackPart implements AutoCloseable {

    protected JvmPart jvm;
    protected Duration startup;

    /** @return how long the start took, including classpath resolution and launcher compilation */
    public Duration startup() {
        return startup;
    }

    long pid() {
        return jvm.pid();
    }

    Path log() {
        return jvm.log();
    }

    boolean isAlive() {
        return jvm != null && jvm.isAlive();
    }

    /** Stops the part (SIGTERM, then forcibly). Safe to call more than once, and before it started. */
    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
    }
}
