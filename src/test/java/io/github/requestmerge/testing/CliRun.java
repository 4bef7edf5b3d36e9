package io.github.requestmerge.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.cli.RequestMergeCli;

/** One run of {@code bin/request-merge}'s commands, with what it printed on each stream. */
public record CliRun(int exit, String out, String err) {

    /** Runs the CLI with {@code args}. */
    public static CliRun of(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = RequestMergeCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
        return new CliRun(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the CLI with {@code args}. */
    public static CliRun of(List<String> args) {
        return of(args.toArray(new String[0]));
    }

    /**
     * Runs {@code bin/request-merge} with {@code args} in a process of its own, as a user does: the script builds
     * what it needs first when the sources changed (mvn), and its JVM starts cold.
     */
    public static CliRun ofScript(List<String> args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of("bin", "request-merge").toAbsolutePath().toString());
        command.addAll(args);
        Path out = Files.createTempFile("request-merge", ".out");
        Path err = Files.createTempFile("request-merge", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
                .start();
            if (!process.waitFor(10, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new AssertionError("bin/request-merge did not end in 10 minutes: " + command);
            }
            return new CliRun(process.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /**
     * @return the objects of a {@code --format json} output (one per line, as {@code history} prints them), by their
     *     {@code id}
     */
    public Map<String, JsonNode> jsonById() throws IOException {
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank()) {
                JsonNode node = Documents.JSON.readTree(line);
                byId.put(node.path("id").asText(), node);
            }
        }
        return byId;
    }

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
}
