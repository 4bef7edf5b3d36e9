package io.github.requestmerge.stack;

import java.io.IOException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * One part of the stack running as its own JVM through {@code OwnedMain}, so it exits when the
 * JVM that started it dies. Stop with {@link #close()} (SIGTERM, then forcibly).
 */
final class JvmPart implements AutoCloseable {

    private final String name;
    private final Path log;
    private final Process process;

    private JvmPart(String name, Path log, Process process) {
        this.name = name;
        this.log = log;
        this.process = process;
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
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            JvmPart started = new JvmPart(name, log, process);
            StackParts.stopOnExit(name, started::close);
            return started;
        } catch (IOException e) {
            throw new StackException(name + ": cannot start its JVM (" + e.getMessage() + "); log " + log, e);
        }
    }

    /** Fails with the part's name, exit code and log when the process has died. */
    void checkAlive(String while_) {
        if (!process.isAlive()) {
            throw new StackException(name + ": exited with code " + process.exitValue() + " while " + while_ + "; see "
                + log + StackParts.tail(log));
        }
    }

    /** @return the exit code, or null while the process runs */
    Integer exitCode() {
        return process.isAlive() ? null : process.exitValue();
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

    @Override
    public synchronized void close() {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
