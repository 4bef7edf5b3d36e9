package io.github.requestmerge.quickstart;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Where the parts of a running stack answer: read from the {@code stack.properties} that
 * {@code bin/stack up} writes, or given by a test from the {@code Stack} extension.
 *
 * @param connectPid the Connect worker's process, attached to for the sink's JMX metrics
 */
public record StackEndpoints(String elasticsearchUrl, String kafkaBootstrapServers, String connectUrl, long connectPid,
                             String s3Endpoint, String s3AccessKey, String s3SecretKey, String s3Region, String s3Bucket) {

    /** @return the endpoints {@code bin/stack up} recorded in {@code stack.properties} */
    public static StackEndpoints read(Path stackProperties) throws IOException {
        Properties stack = new Properties();
        try (Reader reader = Files.newBufferedReader(stackProperties, StandardCharsets.UTF_8)) {
            stack.load(reader);
        }
        return new StackEndpoints(required(stack, "elasticsearch.url"), required(stack, "kafka.bootstrap.servers"),
            required(stack, "connect.url"), Long.parseLong(required(stack, "connect.pid")), required(stack, "s3.endpoint"),
            required(stack, "s3.access.key"), required(stack, "s3.secret.key"), required(stack, "s3.region"),
            required(stack, "s3.bucket"));
    }

    private static String required(Properties stack, String key) {
        String value = stack.getProperty(key);
        if (value == null || value.isBlank()) {
            throw new IllegalStateException("stack.properties has no " + key + ": is the stack up (bin/stack up)?");
        }
        return value;
    }
}
