package io.github.requestmerge.cli;

import java.io.PrintStream;
import java.io.PrintWriter;

import io.github.requestmerge.Version;
import io.github.requestmerge.retry.UnrecoverableException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code request-merge}: rebuilds (replay) or checks (verify) the merged index from the raw archive in S3, or
 * tells one request's history from it (history),
 * driven by the two connector configurations users already have. Runs as {@code bin/request-merge} from
 * the repository, or as a Java main from the component's {@code lib/} with the worker's libraries (the
 * Connect API, JSON converter and transforms) on the classpath.
 */
@Command(name = "request-merge", mixinStandardHelpOptions = true, versionProvider = RequestMergeCli.VersionProvider.class,
    subcommands = {ReplayCommand.class, VerifyCommand.class, HistoryCommand.class},
    description = "Rebuilds or verifies the merged Elasticsearch index from the raw archive in S3, or tells one "
        + "request's history from it.")
public final class RequestMergeCli implements Runnable {

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** @return the exit code of one invocation, writing to the given streams */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine cli = new CommandLine(new RequestMergeCli());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommand() instanceof ScanCommand scan) {
                scan.progressStream = err;
            } else if (sub.getCommand() instanceof HistoryCommand history) {
                history.progressStream = err;
            }
        }
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter writer = commandLine.getErr();
            if (e instanceof ConfigurationError) {
                writer.println("request-merge: " + e.getMessage());
                return ScanCommand.USAGE;
            }
            if (e instanceof UnrecoverableException) {
                writer.println("request-merge: " + e.getMessage());
                return ScanCommand.FAILED;
            }
            if (e instanceof InterruptedException) {
                writer.println("request-merge: interrupted");
                return ScanCommand.FAILED;
            }
            writer.println("request-merge: failed: " + e);
            e.printStackTrace(writer);
            return ScanCommand.FAILED;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command: replay, verify or history");
    }

    /** The plugin's version. */
    static final class VersionProvider implements IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"request-merge " + Version.get()};
        }
    }
}
