package io.github.requestmerge.stack;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * One part of the stack running as its own JVM through {@code OwnedMain}, so it exits when the
 * JVM that started it dies. Stop with {@link #close()} (SIGTERM, then forcibly), {@link #stop} or
 * {@link #kill()}; {@link #relaunch} runs the same command again, so a restarted process has the
 * same owner and the same shutdown hook stops it. {@link #freeze()} and {@link #thaw()} suspend and
 * resume the process (SIGSTOP, SIGCONT), as a long GC pause or a hung host would.
 *
 * <p>Thread-safety: the methods that change the process are synchronized, so the shutdown hook's
 * {@link #close()} never races a relaunch; the others may be called from any thread.
 */
final class JvmPart implements AutoCloseable {

    private final String name;
    private final Path log;
    private final List<String> command;
    private volatile Process process;
    private boolean frozen;
    /** While frozen: a shell that thaws the process if the owner dies first (a frozen JVM cannot watch). */
    private Process thawGuard;

    private JvmPart(String name, Path log, List<String> command) {
        this.name = name;
        this.log = log;
        this.command = List.copyOf(command);
    }

    /** Starts {@code mainClass} of the stack part {@code part} on this JVM's JDK. */
    static JvmPart start(String name, String part, Path log, List<String> jvmOptions, String mainClass, String... args) {
        return start(name, part, log, Paths.get(System.getProperty("java.home")), jvmOptions, mainClass, args);
    }

    /** Starts {@code mainClass} of the stack part {@code part} on the given JDK, with JVM options and arguments. */
    static JvmPart start(String name, String part, Path log, Path javaHome, List<String> jvmOptions, String mainClass,
                         String... args) {
        String classpath = StackParts.classpath(part);
        Path launcher = StackParts.compileLauncher(part, javaHome, classpath);
        List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", launcher + java.io.File.pathSeparator + classpath,
            "io.github.requestmerge.stack.launcher.OwnedMain", String.valueOf(StackParts.ownerPid()), mainClass));
        command.addAll(List.of(args));
        JvmPart started = new JvmPart(name, log, command);
        started.process = started.launch(List.of(), Redirect.to(log.toFile()));
        // One hook per part, not per process: it stops whichever process runs when this JVM exits.
        StackParts.stopOnExit(name, started::close);
        return started;
    }

    /**
     * Runs the same command again (same JDK, classpath, owner PID and arguments, then
     * {@code extraArgs}), appending its output to the same log. The previous process must be gone.
     */
    synchronized void relaunch(String... extraArgs) {
        if (process.isAlive()) {
            throw new IllegalStateException(name + ": still running (pid " + process.pid() + "); stop it first");
        }
        try {
            Files.writeString(log, System.lineSeparator() + "--- " + name + " (exit code " + process.exitValue()
                + ") started again at " + Instant.now() + System.lineSeparator(), StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new StackException(name + ": cannot write its log " + log + " (" + e.getMessage() + ")", e);
        }
        process = launch(List.of(extraArgs), Redirect.appendTo(log.toFile()));
    }

    private Process launch(List<String> extraArgs, Redirect output) {
        List<String> full = new ArrayList<>(command);
        full.addAll(extraArgs);
        try {
            return new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(output).start();
        } catch (IOException e) {
            throw new StackException(name + ": cannot start its JVM (" + e.getMessage() + "); log " + log, e);
        }
    }

    /** Fails with the part's name, exit code and log when the process has died. */
    void checkAlive(String while_) {
        Process current = process;
        if (!current.isAlive()) {
            throw new StackException(name + ": exited with code " + current.exitValue() + " while " + while_ + "; see "
                + log + StackParts.tail(log));
        }
    }

    /** @return the exit code, or null while the process runs */
    Integer exitCode() {
        Process current = process;
        return current.isAlive() ? null : current.exitValue();
    }

    String name() {
        return name;
    }

    Path log() {
        return log;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Asks the process to stop (SIGTERM: its shutdown hooks run) and waits until it is gone. When it
     * is still running after {@code timeout} it is killed, and this fails saying so.
     */
    synchronized void stop(Duration timeout) {
        if (!process.isAlive()) {
            return;
        }
        // A stopped process only acts on SIGTERM once it runs again.
        thaw();
        process.destroy();
        if (!awaitExit(timeout)) {
            kill();
            throw new StackException(name + ": did not stop within " + timeout + " of SIGTERM, so it was killed; see "
                + log + StackParts.tail(log));
        }
    }

    /** Kills the process (SIGKILL, as a crash: no shutdown hooks run) and waits until it is gone. */
    synchronized void kill() {
        // SIGKILL ends a stopped process as well; only the guard is left to drop.
        process.destroyForcibly();
        dropThawGuard();
        if (!awaitExit(Duration.ofSeconds(30))) {
            throw new StackException(name + ": pid " + process.pid() + " still runs 30 s after SIGKILL");
        }
    }

    /**
     * Suspends the process with SIGSTOP: it keeps its sockets (connections are accepted by the kernel
     * and then hang), but answers nothing until {@link #thaw()}. Should the JVM that started it die
     * meanwhile, a small guard process resumes it, so that it notices and exits as every part does.
     */
    synchronized void freeze() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + ": not running, cannot freeze it");
        }
        if (frozen) {
            return;
        }
        signal("STOP");
        frozen = true;
        long owner = StackParts.ownerPid();
        if (owner == 0) {
            return;
        }
        try {
            thawGuard = new ProcessBuilder("sh", "-c", "while kill -0 " + owner + " 2>/dev/null; do sleep 1; done; kill -CONT "
                + process.pid()).redirectErrorStream(true).redirectOutput(Redirect.DISCARD).start();
        } catch (IOException e) {
            thaw();
            throw new StackException(name + ": cannot start the guard that thaws it if its owner dies (" + e.getMessage()
                + ")", e);
        }
    }

    /** Resumes a process {@link #freeze() frozen} before (SIGCONT); does nothing otherwise. */
    synchronized void thaw() {
        if (!frozen) {
            return;
        }
        if (process.isAlive()) {
            signal("CONT");
        }
        dropThawGuard();
    }

    synchronized boolean frozen() {
        return frozen;
    }

    private void dropThawGuard() {
        frozen = false;
        if (thawGuard != null) {
            thawGuard.destroy();
            thawGuard = null;
        }
    }

    private void signal(String signal) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).redirectErrorStream(true)
                .start();
            String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (kill.waitFor() != 0) {
                throw new StackException(name + ": kill -" + signal + " " + process.pid() + " failed: " + output);
            }
        } catch (IOException e) {
            throw new StackException(name + ": cannot send SIG" + signal + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(name + ": interrupted while sending SIG" + signal, e);
        }
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(name + ": interrupted while waiting for pid " + process.pid() + " to exit", e);
        }
    }

    /** Stops the process (SIGTERM, then forcibly); never fails. Safe to call more than once. */
    @Override
    public synchronized void close() {
        Process current = process;
        if (!current.isAlive()) {
            dropThawGuard();
            return;
        }
        try {
            thaw();
        } catch (RuntimeException e) {
            // Never fails: SIGKILL below ends a process that stays stopped.
        }
        current.destroy();
        try {
            if (!current.waitFor(30, TimeUnit.SECONDS)) {
                current.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            current.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
