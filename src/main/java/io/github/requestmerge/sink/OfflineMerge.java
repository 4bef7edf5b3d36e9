package io.github.requestmerge.sink;

import java.util.Objects;

import org.apache.kafka.connect.sink.SinkRecord;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.merge.MergeRules;
import io.github.requestmerge.merge.MergedState;
import io.github.requestmerge.merge.Merger;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.merge.StringPool;

/**
 * The sink's own path from a record to its stored document, for tools that rebuild documents outside
 * a task (the archive replay and verification): a record is converted as the task's {@code put}
 * converts it ({@link RecordEvents}: id, event time, index, tombstones), merged into its document as
 * the writer merges it ({@link DocumentMerge}, {@link Merger}), and written in the stored form the
 * writer sends ({@link StateJson}), all configured from the sink's configuration exactly as the task
 * configures them. So a rebuilt document, its created/updated times and its {@code _merge.offsets}
 * marks are the live connector's, byte for byte, and a record is rejected for the same reason.
 *
 * <p>Documents are held by the caller. {@link #convert} may be called from several threads at once (the
 * task's conversion keeps no state but the thread-safe string pool and index names); a document is merged,
 * and written, by one thread at a time.
 */
public final class OfflineMerge {

    /** What a record did to its document. */
    public enum Outcome {
        /** The event changed the document. */
        MERGED,
        /** At or below the document's mark for the record's partition: nothing changed. */
        DUPLICATE,
        /** A tombstone: the document starts over (and is not written unless later events come). */
        DELETED
    }

    /** A record converted as the task converts it: the document it belongs to and what it carries. */
    public static final class Change {

        private final Pending pending;

        private Change(Pending pending) {
            this.pending = pending;
        }

        /** @return the index the live connector writes the record's document to */
        public String index() {
            return pending.key().index();
        }

        /** @return the document id (the request id) */
        public String id() {
            return pending.key().id();
        }

        public boolean isTombstone() {
            return pending.isTombstone();
        }

        /** @return the partition the record was read from, as the duplicate marks name it: {@code topic/partition} */
        public String source() {
            return Offsets.source(pending.partition());
        }

        /** @return the record's offset in its original partition */
        public long offset() {
            return pending.offset();
        }

        /** @return the event time (epoch millis) the merge goes by, or null for a tombstone, which has none */
        public Long eventTime() {
            return pending.event() == null ? null : pending.event().timestamp();
        }
    }

    /** A document being rebuilt; it starts absent, as for an id Elasticsearch does not hold. */
    public static final class Document {

        private final CachedDocument doc = CachedDocument.absent();

        /**
         * @return whether the live connector's writes leave the document in the index: some event merged since
         *     the start or the last tombstone (every merged event leaves a mark; a tombstone clears them)
         */
        public boolean exists() {
            return doc.state.sourceCount() > 0;
        }

        public MergedState state() {
            return doc.state;
        }

        /** @return the document's heap, estimated as the task's cache estimates it */
        public long estimatedBytes() {
            return doc.state.estimatedBytes();
        }
    }

    private final RequestMergeSinkConfig config;
    private final Merger merger;
    private final StateJson json;
    private final RecordEvents events;

    public OfflineMerge(RequestMergeSinkConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        MergeRules rules = config.mergeRules();
        StringPool pool = StringPool.shared();
        this.merger = new Merger(rules, pool);
        this.json = new StateJson(rules, pool);
        this.events = new RecordEvents(config.idField(), config.timestampField(), config.indexNames(),
            config.tombstoneBehavior(), pool);
    }

    /**
     * Converts a record (after the connector's converters and transforms) as the task's {@code put} does.
     *
     * @return the change, or null for a tombstone the sink ignores ({@code merge.tombstone.behavior=ignore})
     * @throws BadRecordException when the task rejects the record (no id, not an object, no event time, a
     *     tombstone with {@code fail}), with the task's message
     */
    public Change convert(SinkRecord record) {
        Pending pending = events.convert(record);
        return pending == null ? null : new Change(pending);
    }

    /**
     * Merges a converted record into its document as the writer does.
     *
     * @throws BadRecordException when the event conflicts with the document (the writer's message); the
     *     document is unchanged
     */
    public Outcome merge(Document document, Change change) {
        switch (DocumentMerge.apply(merger, document.doc, change.pending)) {
            case MERGED:
                return Outcome.MERGED;
            case DUPLICATE:
                return Outcome.DUPLICATE;
            case DELETED:
                return Outcome.DELETED;
            default:
                throw new IllegalStateException("unhandled outcome");
        }
    }

    /** @return the document as the writer sends it to Elasticsearch */
    public byte[] write(Document document) {
        return json.write(document.doc.state);
    }

    /** @return a stored document read back as the writer reads it (to continue merging, or to compare) */
    public MergedState read(JsonNode stored) {
        return json.read(stored);
    }

    public MergeRules rules() {
        return merger.rules();
    }

    public RequestMergeSinkConfig config() {
        return config;
    }
}
