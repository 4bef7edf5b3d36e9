package io.github.requestmerge.sink;

/** Where a merged document lives: its index and id. */
record DocKey(String index, String id) {
}
