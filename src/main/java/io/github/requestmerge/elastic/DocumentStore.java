package io.github.requestmerge.elastic;

import java.util.Collection;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.retry.UnrecoverableException;

/**
 * Where merged documents are read from and written to: many ids per read, many writes per
 * request, each write guarded by optimistic concurrency (the version it was read at, or
 * create-if-absent), so a concurrent writer shows up as a conflict instead of a lost update.
 * {@link ElasticDocumentStore} is the real one.
 */
public interface DocumentStore {

    /** A stored document and the version it was read at. */
    record Stored(JsonNode source, long seqNo, long primaryTerm) {
    }

    /** One write of a bulk request. */
    record Write(Kind kind, String index, String id, byte[] document, long ifSeqNo, long ifPrimaryTerm) {

        public enum Kind { CREATE, INDEX, DELETE }

        /** Creates the document; a 409 if it already exists. */
        public static Write create(String index, String id, byte[] document) {
            return new Write(Kind.CREATE, index, id, document, -1, -1);
        }

        /** Replaces the document read at the given version; a 409 if it changed since. */
        public static Write replace(String index, String id, byte[] document, long ifSeqNo, long ifPrimaryTerm) {
            return new Write(Kind.INDEX, index, id, document, ifSeqNo, ifPrimaryTerm);
        }

        /** Writes the document whatever the index holds under its id (no version check). */
        public static Write overwrite(String index, String id, byte[] document) {
            return new Write(Kind.INDEX, index, id, document, -1, -1);
        }

        /** Deletes the document read at the given version (or unconditionally when not known: ifSeqNo -1). */
        public static Write delete(String index, String id, long ifSeqNo, long ifPrimaryTerm) {
            return new Write(Kind.DELETE, index, id, null, ifSeqNo, ifPrimaryTerm);
        }

        /** @return bytes this write adds to a bulk request, roughly */
        public int size() {
            return (document == null ? 0 : document.length) + id.length() + index.length() + 64;
        }
    }

    /** The outcome of one write; {@code status} is the HTTP status of the item. */
    record Result(int status, long seqNo, long primaryTerm, String errorType, String errorReason) {

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** @return what to do about a failed write ({@link ElasticErrors#ofItem}) */
        public ElasticErrors.Category category() {
            return ElasticErrors.ofItem(status, errorType);
        }

        /** @return the error as {@code type: reason}, for messages */
        public String error() {
            return errorType + ": " + errorReason;
        }
    }

    /**
     * Reads documents by id from one index, retrying transient failures (of the whole request or of
     * single documents) for as long as the retry policy allows.
     *
     * @return found documents by id; absent ids (and a missing index) are not in the map
     * @throws UnrecoverableException when a failure is not transient (naming what to fix), or an
     *     outage lasted longer than the retry timeout
     */
    Map<String, Stored> load(String index, Collection<String> ids) throws UnrecoverableException, InterruptedException;

    /**
     * Sends writes in one request, retrying transient failures of the whole request; failures of
     * single writes are returned for the caller to classify ({@link Result#category()}).
     *
     * @return one result per write, in order
     * @throws UnrecoverableException when a failure of the request is not transient, or an outage
     *     lasted longer than the retry timeout
     */
    List<Result> write(List<Write> writes) throws UnrecoverableException, InterruptedException;
}
