package io.github.requestmerge.stack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Shared plumbing for the parts of the real stack: where the project is, the classpath of a part
 * (resolved from Maven Central through the part's own pom under {@code src/stack/<part>/}, cached
 * in target/stack), compiling a part's launcher sources with that part's JDK, and running commands
 * with a clear error naming the part and its log.
 */
final class StackParts {

    private StackParts() {
    }

    static Path projectDir() {
        return Paths.get(System.getProperty("project.basedir", ".")).toAbsolutePath().normalize();
    }

    /** @return where parts keep data and logs: {@code -Dstack.dir}, else target/stack */
    static Path stackDir() {
        String configured = System.getProperty("stack.dir", "");
        return configured.isBlank() ? projectDir().resolve("target/stack") : Paths.get(configured).toAbsolutePath();
    }

    /**
     * @return the PID parts watch and exit with: this JVM's, or none (0) with -Dstack.owner.pid=0,
     *     as bin/stack starts parts that must outlive it
     */
    static long ownerPid() {
        return Long.getLong("stack.owner.pid", ProcessHandle.current().pid());
    }

    /** Stops the part when this JVM exits, unless the parts are detached (bin/stack). */
    static void stopOnExit(String name, Runnable stop) {
        if (ownerPid() != 0) {
            Runtime.getRuntime().addShutdownHook(new Thread(stop, name + "-stop"));
        }
    }

    static Path workDir(String part) {
        try {
            return Files.createDirectories(stackDir().resolve(part));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return the part's runtime classpath, resolved once (again only when its pom changes) */
    static String classpath(String part) {
        Path pom = projectDir().resolve("src/stack").resolve(part).resolve("pom.xml");
        Path cached = Paths.get(System.getProperty("user.home"), ".cache", "kafka-connect-request-merge", "stack",
            part + ".classpath");
        try {
            Files.createDirectories(cached.getParent());
            if (!Files.exists(cached) || Files.getLastModifiedTime(cached).compareTo(Files.getLastModifiedTime(pom)) < 0) {
                Path log = workDir(part).resolve("resolve.log");
                run(part, log, "mvn", "-q", "-B", "-ntp", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + cached);
            }
            return Files.readString(cached, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Compiles the shared launcher sources ({@code src/stack/common}), those every Elasticsearch major shares
     * ({@code src/stack/elasticsearch-common/launcher}, for the {@code elasticsearch-*} parts) and the part's own
     * ({@code src/stack/<part>/launcher}, if any) with the given JDK, against the part's classpath.
     */
    static Path compileLauncher(String part, Path javaHome, String classpath) {
        Path classes = workDir(part).resolve("launcher-classes");
        List<Path> roots = new ArrayList<>(List.of(projectDir().resolve("src/stack/common")));
        if (part.startsWith("elasticsearch-")) {
            roots.add(projectDir().resolve("src/stack/elasticsearch-common/launcher"));
        }
        Path own = projectDir().resolve("src/stack").resolve(part).resolve("launcher");
        if (Files.isDirectory(own)) {
            roots.add(own);
        }
        try {
            List<String> sources = new ArrayList<>();
            for (Path root : roots) {
                try (Stream<Path> files = Files.walk(root)) {
                    sources.addAll(files.filter(file -> file.toString().endsWith(".java")).map(Path::toString).sorted()
                        .collect(Collectors.toList()));
                }
            }
            // Compile again only when the JDK, the classpath or a source changed since the last start.
            StringBuilder fingerprint = new StringBuilder(javaHome + "\n" + classpath + "\n");
            for (String source : sources) {
                fingerprint.append(source).append(' ').append(Files.getLastModifiedTime(Paths.get(source))).append('\n');
            }
            Path stamp = classes.resolve(".compiled-from");
            if (Files.exists(stamp) && Files.readString(stamp, StandardCharsets.UTF_8).contentEquals(fingerprint)) {
                return classes;
            }
            List<String> command = new ArrayList<>(List.of(javaHome.resolve("bin/javac").toString(), "-nowarn",
                "-d", classes.toString(), "-cp", classpath));
            command.addAll(sources);
            run(part, workDir(part).resolve("compile.log"), command.toArray(new String[0]));
            Files.writeString(stamp, fingerprint, StandardCharsets.UTF_8);
            return classes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return a port free on 127.0.0.1 right now (the part binds it moments later) */
    static int freePort() {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** @return whether nothing listens on {@code port} of 127.0.0.1, so a part restarting there can bind it */
    static boolean portFree(int port) {
        try (java.net.ServerSocket socket = new java.net.ServerSocket()) {
            // As the parts' servers do: a port whose old connections linger in TIME_WAIT is free.
            socket.setReuseAddress(true);
            socket.bind(new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static void run(String part, Path log, String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new StackException(part + ": '" + command[0] + "' took over 10 minutes; see " + log);
            }
            if (process.exitValue() != 0) {
                throw new StackException(part + ": '" + String.join(" ", List.of(command).subList(0, Math.min(4,
                    command.length))) + " ...' failed with exit code " + process.exitValue() + "; see " + log
                    + tail(log));
            }
        } catch (IOException e) {
            throw new StackException(part + ": cannot run " + command[0] + " (" + e.getMessage() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StackException(part + ": interrupted", e);
        }
    }

    /** @return the last lines of a log, for error messages */
    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** A part could not be started or used; the message names the part, why, and where its log is. */
    static final class StackException extends RuntimeException {
        StackException(String message) {
            super(message);
        }

        StackException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
