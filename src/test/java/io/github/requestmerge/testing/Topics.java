package io.github.requestmerge.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics on the real broker: create them, produce a timeline, read a dead letter queue. */
public final class Topics {

    private final String bootstrapServers;

    public Topics(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
    }

    public void create(String topic, int partitions) {
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrapServers))) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("creating " + topic, e);
        }
    }

    public KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("acks", "all");
        props.put("linger.ms", "5");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /** Produces events to their own partitions (the producer keys by id; here the partition is explicit). */
    public void produce(String topic, List<RequestTimeline.Event> events) {
        try (KafkaProducer<String, String> producer = producer()) {
            List<java.util.concurrent.Future<?>> sent = new ArrayList<>();
            for (RequestTimeline.Event event : events) {
                sent.add(producer.send(new ProducerRecord<>(topic, event.partition(), event.timestamp(), event.id(),
                    event.json())));
            }
            for (java.util.concurrent.Future<?> future : sent) {
                future.get();
            }
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("producing to " + topic, e);
        }
    }

    /** @return every record of a topic that arrives within the timeout, until {@code expected} are read */
    public List<ConsumerRecord<String, String>> read(String topic, int expected, Duration timeout) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", "reader-" + topic + "-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                 new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (records.size() < expected && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
        }
        return records;
    }
}
