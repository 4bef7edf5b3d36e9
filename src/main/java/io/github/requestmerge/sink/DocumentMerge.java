package io.github.requestmerge.sink;

import io.github.requestmerge.merge.MergeConflictException;
import io.github.requestmerge.merge.MergedState;
import io.github.requestmerge.merge.Merger;

/**
 * Merges one pending record into its document, the one way the sink does it: a tombstone (unless it
 * is a redelivery the document's marks already cover) starts the document over, an event merges by
 * the merge rules or is skipped as a duplicate, and an event that conflicts with the document is a
 * bad record and leaves the document as it was. {@link MergeWriter} merges every batch with it, and
 * {@link OfflineMerge} lends it to the archive replay, so both come to the same documents.
 *
 * <p>Stateless; a document is merged by one thread at a time.
 */
final class DocumentMerge {

    /** What one record did to its document. */
    enum Outcome {
        /** The event changed the document. */
        MERGED,
        /** Already in the document (at or below its mark for the record's partition): nothing changed. */
        DUPLICATE,
        /** A tombstone: the document starts over, empty and without marks. */
        DELETED
    }

    private DocumentMerge() {
    }

    /**
     * @param doc the document; its state is replaced by a fresh one on {@link Outcome#DELETED}
     * @throws BadRecordException when the event conflicts with the document, naming the record, id and field;
     *     the document is unchanged
     */
    static Outcome apply(Merger merger, CachedDocument doc, Pending pending) {
        if (pending.isTombstone()) {
            if (doc.state.mark(Offsets.source(pending.partition())) >= pending.offset()) {
                return Outcome.DUPLICATE;
            }
            doc.state = new MergedState();
            return Outcome.DELETED;
        }
        try {
            return merger.apply(doc.state, pending.event()) == Merger.Outcome.MERGED ? Outcome.MERGED : Outcome.DUPLICATE;
        } catch (MergeConflictException e) {
            throw new BadRecordException(pending.record(), "id '" + pending.key().id() + "': " + e.getMessage(), e);
        }
    }
}
