package io.github.requestmerge.quickstart;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.TopicExistsException;

import io.github.requestmerge.testing.ArchiveContents;
import io.github.requestmerge.testing.ConnectRest;
import io.github.requestmerge.testing.Documents;
import io.github.requestmerge.testing.Waits;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Makes the quickstart's report about one run only: what an earlier run on the same stack left (its
 * connectors and their consumer groups, the topic and dead letter queue, the merged index, the
 * archive's objects) is removed, then the topic is created afresh.
 */
final class CleanSlate {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private CleanSlate() {
    }

    static void prepare(StackEndpoints stack, ShippedConnectors connectors, int partitions, S3Client s3)
        throws InterruptedException, ExecutionException {
        ConnectRest connect = new ConnectRest(stack.connectUrl());
        connect.delete(connectors.sinkName());
        connect.delete(connectors.archiveName());
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", stack.kafkaBootstrapServers()))) {
            deleteGroups(admin, List.of("connect-" + connectors.sinkName(), "connect-" + connectors.archiveName()));
            List<String> topics = List.of(connectors.topic(), connectors.deadLetterTopic());
            Set<String> existing = admin.listTopics().names().get();
            List<String> old = topics.stream().filter(existing::contains).toList();
            if (!old.isEmpty()) {
                admin.deleteTopics(old).all().get();
            }
            createAfresh(admin, new NewTopic(connectors.topic(), partitions, (short) 1));
        }
        new Documents(stack.elasticsearchUrl()).send("DELETE", "/" + connectors.index() + "?ignore_unavailable=true", null);
        List<String> keys = ArchiveContents.keys(s3, stack.s3Bucket(), connectors.archivePrefix());
        for (String key : keys) {
            s3.deleteObject(delete -> delete.bucket(stack.s3Bucket()).key(key));
        }
    }

    /** Deletes the groups, waiting while their members (tasks of the connectors just deleted) leave. */
    private static void deleteGroups(Admin admin, List<String> groups) throws InterruptedException, ExecutionException {
        List<String> left = new ArrayList<>(groups);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!left.isEmpty()) {
            for (String group : List.copyOf(left)) {
                try {
                    admin.deleteConsumerGroups(List.of(group)).all().get();
                    left.remove(group);
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof GroupIdNotFoundException) {
                        left.remove(group);
                    } else if (!(e.getCause() instanceof GroupNotEmptyException) || System.nanoTime() > deadline) {
                        throw e;
                    }
                }
            }
            if (!left.isEmpty()) {
                Waits.sleep(500);
            }
        }
    }

    /** Creates the topic, waiting while a deletion of the same name completes. */
    private static void createAfresh(Admin admin, NewTopic topic) throws InterruptedException, ExecutionException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            try {
                admin.createTopics(List.of(topic)).all().get();
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException) || System.nanoTime() > deadline) {
                    throw e;
                }
                Waits.sleep(500);
            }
        }
    }
}
