package io.github.requestmerge.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Topics on the real broker: create them, produce a timeline (at once or paced), read a dead letter queue. */
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

    /**
     * A producer that rides through a broker restart: sends wait (up to three minutes) for the
     * broker instead of failing, and idempotence keeps each partition in the order sent across
     * retries, which the expected documents rely on (a merge conflict must follow its id's first event).
     */
    public KafkaProducer<String, String> producer() {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("acks", "all");
        props.put("enable.idempotence", "true");
        props.put("linger.ms", "5");
        props.put("delivery.timeout.ms", "180000");
        props.put("max.block.ms", "180000");
        return new KafkaProducer<>(props, new StringSerializer(), new StringSerializer());
    }

    /**
     * Produces events to their own partitions (the producer keys by id; here the partition is explicit).
     *
     * @return where each event was written, in the order of {@code events}
     */
    public List<RecordMetadata> produce(String topic, List<RequestTimeline.Event> events) {
        try (KafkaProducer<String, String> producer = producer()) {
            List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (RequestTimeline.Event event : events) {
                sent.add(producer.send(record(topic, event)));
            }
            List<RecordMetadata> written = new ArrayList<>(sent.size());
            for (Future<RecordMetadata> future : sent) {
                written.add(future.get());
            }
            return written;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException("producing to " + topic, e);
        }
    }

    private static ProducerRecord<String, String> record(String topic, RequestTimeline.Event event) {
        return new ProducerRecord<>(topic, event.partition(), event.timestamp(), event.id(), event.json());
    }

    /**
     * Starts producing events in the background at a steady pace, so that they span {@code over}:
     * traffic that keeps flowing while a test breaks something.
     */
    public Stream stream(String topic, List<RequestTimeline.Event> events, Duration over) {
        return new Stream(topic, events, over);
    }

    /**
     * Events being produced by a background thread through one producer.
     *
     * <p>Thread-safety: {@link #sent()} may be read from any thread; {@link #finish} and
     * {@link #close()} are for the thread that started the stream.
     */
    public final class Stream implements AutoCloseable {

        /** Events go out in at least this many chunks, and at least one chunk every 100 ms for long streams. */
        private static final int CHUNKS = 100;

        private final String topic;
        private final List<RequestTimeline.Event> events;
        private final List<Future<RecordMetadata>> futures = new ArrayList<>();
        private final Thread thread;
        private volatile int sent;
        private volatile boolean stopped;
        private volatile RuntimeException failure;

        private Stream(String topic, List<RequestTimeline.Event> events, Duration over) {
            this.topic = topic;
            this.events = List.copyOf(events);
            int chunks = (int) Math.max(CHUNKS, over.toMillis() / 100);
            long pauseMillis = over.toMillis() / chunks;
            int chunk = Math.max(1, (events.size() + chunks - 1) / chunks);
            thread = new Thread(() -> run(chunk, pauseMillis), "stream-" + topic);
            thread.setDaemon(true);
            thread.start();
        }

        private void run(int chunk, long pauseMillis) {
            try (KafkaProducer<String, String> producer = producer()) {
                for (int from = 0; from < events.size() && !stopped; from += chunk) {
                    int to = Math.min(events.size(), from + chunk);
                    for (RequestTimeline.Event event : events.subList(from, to)) {
                        futures.add(producer.send(record(topic, event)));
                    }
                    sent = to;
                    Thread.sleep(pauseMillis);
                }
                producer.flush();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            }
        }

        /** @return how many events were handed to the producer so far */
        public int sent() {
            return sent;
        }

        /** @return the share of the events handed to the producer so far, from 0 to 1 */
        public double progress() {
            return events.isEmpty() ? 1 : (double) sent / events.size();
        }

        /**
         * Waits until every event is written.
         *
         * @return where each event was written, in the order of the events
         */
        public List<RecordMetadata> finish(Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            try {
                thread.join(timeout.toMillis());
                if (thread.isAlive()) {
                    throw new IllegalStateException("producing to " + topic + " took over " + timeout + "; " + sent
                        + " of " + events.size() + " events sent");
                }
                if (failure != null) {
                    throw new IllegalStateException("producing to " + topic + " failed", failure);
                }
                List<RecordMetadata> written = new ArrayList<>(futures.size());
                for (Future<RecordMetadata> future : futures) {
                    written.add(future.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
                }
                return written;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } catch (ExecutionException | TimeoutException e) {
                throw new IllegalStateException("producing to " + topic + " failed", e);
            }
        }

        /** Stops producing (what was sent is still delivered) and waits for the thread. */
        @Override
        public void close() {
            stopped = true;
            try {
                thread.join(TimeUnit.MINUTES.toMillis(4));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** @return every record of a topic that arrives within the timeout, until {@code expected} are read */
    public List<ConsumerRecord<String, String>> read(String topic, int expected, Duration timeout) {
        return readUntil(topic, records -> records.size() >= expected, timeout);
    }

    /** @return the records of a topic read from its start until {@code done} holds for them, or the timeout passes */
    public List<ConsumerRecord<String, String>> readUntil(String topic, Predicate<List<ConsumerRecord<String, String>>> done,
                                                          Duration timeout) {
        Properties props = new Properties();
        props.put("bootstrap.servers", bootstrapServers);
        props.put("group.id", "reader-" + topic + "-" + System.nanoTime());
        props.put("auto.offset.reset", "earliest");
        List<ConsumerRecord<String, String>> records = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                 new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + timeout.toNanos();
            while (!done.test(records) && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(300)).forEach(records::add);
            }
        }
        return records;
    }
}
