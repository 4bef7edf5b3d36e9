package io.github.requestmerge.testing;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.Header;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The verdict of a fault test, which it prints as one summary line and then asserts: every document
 * equals the merge {@link RequestTimeline} computed independently and the index holds no other,
 * the dead letter queue holds exactly the bad records produced (by partition and offset; repeats are
 * allowed, as Connect's dead letter queue is at-least-once, and counted), and the
 * {@link StatusWatcher} never saw a task FAILED. It also measures how long after the fault ended the
 * documents were all right (a measurement for the report, never asserted).
 *
 * <pre>{@code
 * FaultCheck check = new FaultCheck("elasticsearch-sigkill", timeline, documents, index, watcher);
 * ... break something, mend it ...
 * check.faultEnded("restart");
 * check.verify(Duration.ofSeconds(180), topics, topic, topic + "-dlq", stream.finish(timeout));
 * }</pre>
 *
 * <p>Thread-safety: for the test's thread only.
 */
public final class FaultCheck {

    private static final String TOPIC_HEADER = "__connect.errors.topic";
    private static final String PARTITION_HEADER = "__connect.errors.partition";
    private static final String OFFSET_HEADER = "__connect.errors.offset";

    /** A record's place in its topic. */
    public record Place(int partition, long offset) {
        @Override
        public String toString() {
            return partition + "@" + offset;
        }
    }

    private final String fault;
    private final RequestTimeline timeline;
    private final Documents documents;
    private final String index;
    private final StatusWatcher watcher;
    private final long startedAt = System.nanoTime();
    private final List<Supplier<String>> notes = new ArrayList<>();
    private long faultBeganAt;
    private long faultEndedAt;
    private String faultEnd = "the check began";

    /**
     * @param fault names the fault in the summary, e.g. {@code elasticsearch-sigkill}
     * @param index where the documents are
     * @param watcher watches the connector for the whole test
     */
    public FaultCheck(String fault, RequestTimeline timeline, Documents documents, String index, StatusWatcher watcher) {
        this.fault = fault;
        this.timeline = timeline;
        this.documents = documents;
        this.index = index;
        this.watcher = watcher;
    }

    /** Marks now as the start of the fault, so the summary says how long it was held. */
    public void faultBegan() {
        faultBeganAt = System.nanoTime();
    }

    /** Marks now as the end of the fault ({@code how}: e.g. "restart"); recovery is measured from here. */
    public void faultEnded(String how) {
        faultEndedAt = System.nanoTime();
        faultEnd = how;
    }

    /** @return the seconds since {@link #faultEnded}, or since this check was made */
    public double secondsSinceFaultEnded() {
        return (System.nanoTime() - (faultEndedAt == 0 ? startedAt : faultEndedAt)) / 1e9;
    }

    /** Adds a measurement to the summary line, e.g. "tasks RUNNING on the survivor 21.3 s after the kill". */
    public void note(String text) {
        notes.add(() -> text);
    }

    /** Adds a measurement taken when the summary is written, e.g. a rejection count read from the cluster. */
    public void note(Supplier<String> text) {
        notes.add(text);
    }

    /**
     * What a run came to: whether and when the documents were all right, how many were lost or
     * double-counted, what the dead letter queue holds against the bad records, and the tasks seen FAILED.
     *
     * @param recoveredSeconds seconds from the fault's end until every document was right; null if never
     * @param wrong documents that differ from the independent merge (empty when recovered), as messages
     * @param missingDead bad records the dead letter queue lacks
     * @param unexpectedDead records in the dead letter queue that were not bad
     */
    public record Verdict(Double recoveredSeconds, List<String> wrong, int events, int badRecords, int documents,
                          int lost, int doubleCounted, int dead, int deadDuplicates, Set<Place> missingDead,
                          Set<Place> unexpectedDead, long failedTasks) {

        /** @return true when nothing was lost or counted twice, the DLQ is exact and no task FAILED */
        public boolean exact() {
            return recoveredSeconds != null && missingDead.isEmpty() && unexpectedDead.isEmpty() && failedTasks == 0;
        }
    }

    /**
     * Waits until every document is right (at most {@code timeout}, and no longer once a task was
     * seen FAILED: nobody will restart it), reads the dead letter queue, prints the summary line, then
     * asserts.
     *
     * @param topic the topic the events were produced to
     * @param deadLetterTopic the connector's dead letter queue
     * @param produced where each event of the timeline was written, in the timeline's order (may be
     *     empty when the timeline has no bad records)
     */
    public void verify(Duration timeout, Topics topics, String topic, String deadLetterTopic, List<RecordMetadata> produced) {
        Verdict verdict = measure(timeout, topics, topic, deadLetterTopic, produced);
        String summary = summary(verdict);
        System.out.println(summary);

        watcher.assertNothingFailed();
        if (verdict.recoveredSeconds() == null) {
            throw new AssertionError(summary + "\n" + verdict.wrong().size() + " documents differ, e.g. "
                + String.join("\n  ", verdict.wrong().subList(0, Math.min(5, verdict.wrong().size()))));
        }
        if (!verdict.missingDead().isEmpty() || !verdict.unexpectedDead().isEmpty()) {
            throw new AssertionError(summary + "\nthe dead letter queue " + deadLetterTopic + " lacks bad records "
                + verdict.missingDead() + " and holds records that were not bad " + verdict.unexpectedDead()
                + " (partition@offset of " + topic + ")");
        }
    }

    /**
     * Waits until every document is right (at most {@code timeout}, and no longer once a task was
     * seen FAILED), then reads the dead letter queue; asserts nothing.
     *
     * @see #verify
     */
    public Verdict measure(Duration timeout, Topics topics, String topic, String deadLetterTopic,
                           List<RecordMetadata> produced) {
        if (faultEndedAt == 0) {
            faultEndedAt = startedAt;
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, JsonNode> stored = Map.of();
        List<String> wrong = List.of("no document read yet");
        Double recovered = null;
        while (true) {
            try {
                stored = documents.all(index);
                wrong = timeline.mismatches(stored);
            } catch (RuntimeException e) {
                // Elasticsearch may still be coming back: the deadline decides.
                wrong = List.of("reading the index failed: " + e);
            }
            if (wrong.isEmpty()) {
                recovered = (System.nanoTime() - faultEndedAt) / 1e9;
                break;
            }
            if (watcher.failedCount() > 0 || System.nanoTime() > deadline) {
                break;
            }
            Waits.sleep(1_000);
        }

        int lost = 0;
        int doubleCounted = 0;
        for (String id : timeline.ids()) {
            int direction = counters(timeline.expected(id), stored.get(id));
            lost += direction < 0 ? 1 : 0;
            doubleCounted += direction > 0 ? 1 : 0;
        }

        Set<Place> bad = new LinkedHashSet<>();
        List<RequestTimeline.Event> events = timeline.events();
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).isBad()) {
                bad.add(new Place(produced.get(i).partition(), produced.get(i).offset()));
            }
        }
        // Dead letters are written before the documents are right; waiting long only helps a failing run say more.
        Duration dlqWait = recovered != null ? Duration.ofSeconds(60) : Duration.ofSeconds(10);
        List<ConsumerRecord<String, String>> dead = bad.isEmpty() ? List.of()
            : topics.readUntil(deadLetterTopic, records -> places(records, topic).containsAll(bad), dlqWait);
        Set<Place> deadPlaces = places(dead, topic);
        Set<Place> missing = new LinkedHashSet<>(bad);
        missing.removeAll(deadPlaces);
        Set<Place> unexpected = new LinkedHashSet<>(deadPlaces);
        unexpected.removeAll(bad);
        return new Verdict(recovered, wrong, events.size(), bad.size(), timeline.ids().size(), lost, doubleCounted,
            dead.size(), dead.size() - deadPlaces.size(), missing, unexpected, watcher.failedCount());
    }

    /** @return the one summary line of a verdict */
    public String summary(Verdict verdict) {
        return "FAULT " + fault + ": "
            + (verdict.recoveredSeconds() != null
                ? String.format(Locale.ROOT, "recovered in %.1f s after %s", verdict.recoveredSeconds(), faultEnd)
                : "NOT recovered " + String.format(Locale.ROOT, "%.1f s after %s", (System.nanoTime() - faultEndedAt)
                    / 1e9, faultEnd) + " (" + verdict.wrong().size() + " documents wrong)")
            + held()
            + ", " + verdict.events() + " events (" + verdict.badRecords() + " bad), " + verdict.documents()
            + " documents checked, lost " + verdict.lost() + ", double-counted " + verdict.doubleCounted() + ", DLQ "
            + verdict.dead() + " (" + verdict.deadDuplicates() + " duplicates), tasks ever FAILED "
            + verdict.failedTasks() + notes.stream().map(note -> ", " + measure(note)).collect(Collectors.joining());
    }

    /** @return how long the fault was held, for the summary; nothing for a fault that ends as it begins (a kill for good) */
    private String held() {
        double seconds = (faultEndedAt - faultBeganAt) / 1e9;
        return faultBeganAt == 0 || seconds < 1 ? "" : String.format(Locale.ROOT, " (fault held %.1f s)", seconds);
    }

    private static String measure(Supplier<String> note) {
        try {
            return note.get();
        } catch (RuntimeException e) {
            return "(a measurement failed: " + e + ")";
        }
    }

    /** @return -1 when a counter of the stored document is below the expected one (or it is missing), 1 when above */
    private static int counters(JsonNode expected, JsonNode stored) {
        if (stored == null) {
            return -1;
        }
        int direction = 0;
        for (String counter : RequestTimeline.COUNTERS) {
            BigDecimal want = expected.has(counter) ? expected.get(counter).decimalValue() : BigDecimal.ZERO;
            BigDecimal have = stored.has(counter) && stored.get(counter).isNumber() ? stored.get(counter).decimalValue()
                : BigDecimal.ZERO;
            int comparison = have.compareTo(want);
            if (comparison < 0) {
                return -1;
            }
            direction = Math.max(direction, comparison);
        }
        return direction;
    }

    private static Set<Place> places(List<ConsumerRecord<String, String>> records, String topic) {
        Set<Place> places = new HashSet<>();
        for (ConsumerRecord<String, String> record : records) {
            if (topic.equals(header(record, TOPIC_HEADER))) {
                places.add(new Place(Integer.parseInt(header(record, PARTITION_HEADER)),
                    Long.parseLong(header(record, OFFSET_HEADER))));
            }
        }
        return places;
    }

    private static String header(ConsumerRecord<String, String> record, String key) {
        Header header = record.headers().lastHeader(key);
        return header == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }
}
