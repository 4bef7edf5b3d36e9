package io.github.requestmerge.stack;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.github.requestmerge.stack.StackParts.StackException;

/**
 * A real S3-compatible server (s3proxy, filesystem store) in its own JVM on 127.0.0.1, with
 * static credentials, for the archive tools. Exits by itself when the JVM that started it dies.
 */
public final class S3Server extends StackPart {

    static final String PART = "s3proxy";
    static final String ACCESS_KEY = "request-merge-access";
    static final String SECRET_KEY = "request-merge-secret";
    static final String REGION = "us-east-1";
    /** The bucket that exists from the start (the archive tools' default). */
    static final String BUCKET = "request-archive";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

    private final Path log;
    private final String endpoint;
    private final int port;

    private S3Server(Path log, int port) {
        this.log = log;
        this.port = port;
        this.endpoint = "http://127.0.0.1:" + port;
    }

    public static S3Server start() {
        long begin = System.nanoTime();
        Path work = StackParts.workDir(PART);
        String run = "run-" + ProcessHandle.current().pid() + "-" + System.currentTimeMillis();
        int port = StackParts.freePort();
        S3Server server = new S3Server(work.resolve(run + ".log"), port);
        try {
            Path data = Files.createDirectories(work.resolve(run).resolve("data"));
            // The filesystem store keeps a bucket as a directory: this one exists before the first request.
            Files.createDirectories(data.resolve(BUCKET));
            Path properties = work.resolve(run).resolve("s3proxy.properties");
            Files.writeString(properties, String.join("\n",
                "s3proxy.endpoint=" + server.endpoint,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + data, ""), StandardCharsets.UTF_8);
            Path logback = work.resolve(run).resolve("logback.xml");
            Files.writeString(logback, "<configuration><appender name=\"out\" class=\"ch.qos.logback.core.ConsoleAppender\">"
                + "<encoder><pattern>%d %-5level %logger{20} %msg%n</pattern></encoder></appender>"
                + "<root level=\"WARN\"><appender-ref ref=\"out\"/></root></configuration>", StandardCharsets.UTF_8);
            server.jvm = JvmPart.start("S3 (s3proxy)", PART, server.log, List.of("-Xmx256m", "-XX:+UseSerialGC",
                "-Dlogback.configurationFile=" + logback), "org.gaul.s3proxy.Main", "--properties", properties.toString());
        } catch (IOException e) {
            throw new StackException("S3: cannot prepare s3proxy (" + e.getMessage() + "); log " + server.log, e);
        }
        server.awaitReady();
        server.startup = Duration.ofNanos(System.nanoTime() - begin);
        return server;
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            while (true) {
                jvm.checkAlive("starting");
                try {
                    // Any S3 answer (an unsigned request gets 403 AccessDenied) means it is serving.
                    http.send(HttpRequest.newBuilder(URI.create(endpoint + "/")).build(),
                        HttpResponse.BodyHandlers.discarding());
                    return;
                } catch (IOException e) {
                    if (System.nanoTime() > deadline) {
                        close();
                        throw new StackException("S3: s3proxy not answering on " + endpoint + " after " + START_TIMEOUT
                            + "; see " + log, e);
                    }
                }
                Thread.sleep(100);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new StackException("S3: interrupted while starting", e);
        }
    }

    /**
     * Starts the server again on the same port and data (its filesystem store keeps every bucket and
     * object), and waits until it answers; a running one is stopped gracefully first.
     */
    public void restart() {
        relaunch(port);
        awaitReady();
    }

    /** @return the endpoint for the AWS SDK's endpoint override (use path-style access) */
    public String endpoint() {
        return endpoint;
    }

    public String accessKey() {
        return ACCESS_KEY;
    }

    public String secretKey() {
        return SECRET_KEY;
    }

    public String bucket() {
        return BUCKET;
    }

    public String region() {
        return REGION;
    }

}
