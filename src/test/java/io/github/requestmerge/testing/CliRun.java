package io.github.requestmerge.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import io.github.requestmerge.cli.RequestMergeCli;

/** One run of {@code bin/request-merge}'s commands in this JVM, with what it printed on each stream. */
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

    @Override
    public String toString() {
        return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
    }
}
