package io.github.requestmerge.sink;

import java.util.List;

import io.github.requestmerge.sink.FlushResult.Rejected;

/**
 * Where the writer sends the records it rejects while merging (a merge conflict), to be reported to
 * the error handler before any document that could skip them is written. A rejected record's document
 * goes on merging; once written, its marks cover the record's offset, so if the record came again
 * (after a crash or a rewind) it would be a duplicate and never rejected again. So the writer hands
 * rejections over as it finds them, and waits until they are reported before it writes.
 */
interface Rejections {

    /** Hands records over for reporting; returns at once (writer thread). */
    void hand(List<Rejected> records);

    /** Waits until every record handed over so far is reported (writer thread). */
    void awaitReported() throws InterruptedException;
}
