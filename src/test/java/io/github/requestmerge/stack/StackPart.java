package io.github.requestmerge.stack;

import java.nio.file.Path;
import java.time.Duration;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * What every running part of the stack shares: the JVM it runs in, how long it took to become
 * ready, and stopping it (gracefully, or by killing it as a crash would). Subclasses set
 * {@link #jvm} when they start it and {@link #startup} once the part is ready; parts that can be
 * restarted in place do so through {@link #relaunch}.
 *
 * <p>Thread-safety: start, stop, kill and restart a part from one thread (the test's); the shutdown
 * hook may {@link #close()} it at any time.
 */
abstract class StackPart implements AutoCloseable {

    /** Long enough for a loaded two-core machine; a part that needs more is hung, and is killed. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    protected JvmPart jvm;
    protected Duration startup;

    /** @return how long the first start took, including classpath resolution and launcher compilation */
    public Duration startup() {
        return startup;
    }

    /** @return the part's process id (its JVM's, which a benchmark or the quickstart may attach to for JMX) */
    public long pid() {
        return jvm.pid();
    }

    public Path log() {
        return jvm.log();
    }

    /** @return whether the part's JVM runs (a frozen one does) */
    public boolean isAlive() {
        return jvm != null && jvm.isAlive();
    }

    /**
     * Stops the part gracefully (SIGTERM: it shuts down as on a normal stop) and waits until its
     * process is gone, so its ports and locks are free. A part still running after a minute is
     * killed, and this fails saying so.
     */
    public void stop() {
        if (jvm != null) {
            jvm.stop(STOP_TIMEOUT);
        }
    }

    /** Kills the part's JVM (SIGKILL, like a crash: no shutdown hooks run) and waits until it is gone. */
    public void kill() {
        if (jvm != null) {
            jvm.kill();
        }
    }

    /**
     * Runs the part's JVM again with the command of its first start (plus {@code extraArgs}),
     * stopping the running one gracefully first. The part must bind {@code port} again, so this fails
     * at once, naming the part, the port and the log, when another process holds it.
     */
    protected void relaunch(int port, String... extraArgs) {
        stop();
        if (!StackParts.portFree(port)) {
            throw new StackException(jvm.name() + ": cannot restart on 127.0.0.1:" + port
                + ", another process holds that port; see " + jvm.log());
        }
        jvm.relaunch(extraArgs);
    }

    /**
     * Suspends the part's JVM (SIGSTOP), as a long GC pause, a hung disk or a paused VM would: its
     * ports stay open and connections to them hang, while nothing is answered, until {@link #thaw()}.
     * {@link #stop()}, {@link #close()} and restarts thaw a frozen part first; {@link #kill()} kills it as
     * it is. If the test JVM dies while the part is frozen, the part is thawed and then exits as usual.
     */
    public void freeze() {
        jvm.freeze();
    }

    /** Resumes the part's JVM (SIGCONT) after {@link #freeze()}; does nothing when it is not frozen. */
    public void thaw() {
        jvm.thaw();
    }

    /** @return whether the part is frozen (see {@link #freeze()}) */
    public boolean frozen() {
        return jvm != null && jvm.frozen();
    }

    /** Stops the part (SIGTERM, then forcibly). Safe to call more than once, and before it started. */
    @Override
    public void close() {
        if (jvm != null) {
            jvm.close();
        }
    }
}
