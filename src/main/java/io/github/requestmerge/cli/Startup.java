package io.github.requestmerge.cli;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import io.github.requestmerge.archive.ArchiveSource;
import io.github.requestmerge.archive.WorkerConversion;
import io.github.requestmerge.elastic.Privileges;

/**
 * What a command opens before it reads: the sink's converters and transforms, and the checked {@link Connections}.
 * They are made at the same time: the converters and transforms on a thread of their own (the enrichment loads its
 * database and user-agent rules), the connections on the caller's (S3 and Elasticsearch clients, each checked). On
 * a short run, such as one request's history, the two are most of the time from the JVM's start to the first read.
 * Errors are reported as they would be one after the other: a converter or transform the sink's file gets wrong
 * first (no connection needed to find it), then a connection that fails its check.
 */
final class Startup implements AutoCloseable {

    /** {@code count} sets of converters and transforms: one per thread that reads, as they need not be thread-safe. */
    final List<WorkerConversion> conversions;
    final Connections connections;

    private Startup(List<WorkerConversion> conversions, Connections connections) {
        this.conversions = conversions;
        this.connections = connections;
    }

    /**
     * @throws ConfigurationError naming the file and key of a converter or transform that cannot be made, or of a
     *     connection that fails its check
     */
    static Startup open(Configuration config, int count, Duration retryTimeout, Privileges required) {
        CompletableFuture<List<WorkerConversion>> converting = new CompletableFuture<>();
        // A thread of the caller's, not a pool's: it inherits the context class loader the transforms are found by.
        Thread thread = new Thread(() -> {
            try {
                converting.complete(conversions(config, count));
            } catch (Throwable e) {
                converting.completeExceptionally(e);
            }
        }, "request-merge-conversions");
        thread.setDaemon(true);
        thread.start();
        Connections connections = null;
        RuntimeException connectionFailure = null;
        try {
            connections = Connections.open(config, retryTimeout, required);
        } catch (RuntimeException e) {
            connectionFailure = e;
        }
        List<WorkerConversion> conversions;
        try {
            conversions = converting.join();
        } catch (CompletionException e) {
            if (connections != null) {
                connections.close();
            }
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
        if (connectionFailure != null) {
            conversions.forEach(WorkerConversion::close);
            throw connectionFailure;
        }
        return new Startup(conversions, connections);
    }

    private static List<WorkerConversion> conversions(Configuration config, int count) {
        List<WorkerConversion> conversions = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                conversions.add(WorkerConversion.configure(config.sinkMap));
            }
            return conversions;
        } catch (ArchiveSource.ConfigProblem e) {
            conversions.forEach(WorkerConversion::close);
            throw new ConfigurationError(config.sinkFile, e.key(), e.getMessage().substring(e.key().length() + 2));
        } catch (RuntimeException | Error e) {
            conversions.forEach(WorkerConversion::close);
            throw e;
        }
    }

    @Override
    public void close() {
        try {
            connections.close();
        } finally {
            conversions.forEach(WorkerConversion::close);
        }
    }
}
