package io.github.requestmerge.sink;

import io.github.requestmerge.merge.MergedState;

/**
 * A merged document as last acknowledged by Elasticsearch (or read from it), with the version to
 * write it back at. {@code seqNo < 0} means the document does not exist yet. Used by the writer
 * thread only.
 */
final class CachedDocument {

    MergedState state;
    long seqNo;
    long primaryTerm;
    /** Estimated heap bytes when last weighed by the cache. */
    volatile long bytes;

    CachedDocument(MergedState state, long seqNo, long primaryTerm) {
        this.state = state;
        this.seqNo = seqNo;
        this.primaryTerm = primaryTerm;
    }

    static CachedDocument absent() {
        return new CachedDocument(new MergedState(), -1, -1);
    }

    boolean exists() {
        return seqNo >= 0;
    }
}
