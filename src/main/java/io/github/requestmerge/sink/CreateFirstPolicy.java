package io.github.requestmerge.sink;

/**
 * Decides how {@link MergeWriter} treats documents missing from the cache: read them first (one
 * multi-get per flush, then a versioned write or a create), or write them <em>create-first</em>
 * without reading, merged from an empty document, and read back only those whose create fails with a
 * 409 because they exist after all. Create-first saves a read per new id, which is what most misses
 * are while a task keeps up with its partitions; a wrong guess costs a refused create, a read and a
 * second write, which is what most misses are after a restart, a rebalance or cache evictions. So the
 * policy keeps a moving estimate of the share of missed documents that turned out to exist, learnt
 * from both ways of writing (found by a read, or refused by a create with a 409), and writes
 * create-first only while that share is below {@link #CREATE_FIRST_BELOW}.
 *
 * <p>It starts, and starts again whenever the task is assigned partitions, from "all exist": the
 * documents of partitions just taken over are read first until reads show that the missed ids are
 * new ones.
 *
 * <p>Thread-safe: the writer thread decides and learns, the task thread {@linkplain #reset() resets}
 * it on a partition assignment.
 */
final class CreateFirstPolicy {

    /**
     * Create-first while fewer than this share of missed documents exist. A right guess saves one
     * document read; a wrong one costs a refused create (Elasticsearch parses the whole document before
     * it finds the id taken, about two to three reads' worth) on top of the read, and a second bulk
     * round for the flush: the break-even lies around a quarter to a third. {@code bin/bench-e2e}'s
     * catch-up of new ids (none exist) ran 24 % faster create-first; with a small cache (about half of
     * the misses existing) the policy kept reading first and ran about as before.
     */
    static final double CREATE_FIRST_BELOW = 0.3;
    /** Weight of one observed document in the estimate: it follows about the last few hundred. */
    private static final double WEIGHT = 1.0 / 256;

    private double existing = 1.0;

    /** @return true to write the documents missing from the cache create-first, false to read them first */
    synchronized boolean createFirst() {
        return existing < CREATE_FIRST_BELOW;
    }

    /**
     * Learns from one flush how many of the documents missing from the cache existed (found by a
     * read, or a create refused with 409) and how many did not (not found, or created).
     */
    synchronized void observed(int existed, int absent) {
        int documents = existed + absent;
        if (documents == 0) {
            return;
        }
        // The same as moving the estimate towards each document's outcome in turn, in any order.
        double keep = Math.pow(1 - WEIGHT, documents);
        existing = existing * keep + (double) existed / documents * (1 - keep);
    }

    /** Partitions were assigned: their documents exist as far as this task knows. */
    synchronized void reset() {
        existing = 1.0;
    }

    /** @return the estimated share of documents missing from the cache that exist, for metrics and tests */
    synchronized double existingShare() {
        return existing;
    }
}
