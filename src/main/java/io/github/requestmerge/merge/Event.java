package io.github.requestmerge.merge;

import java.util.Map;
import java.util.Objects;

/**
 * One partial event of a request, ready to merge: its id, its fields (a JSON-like map: strings,
 * booleans, numbers, lists, nested maps), its event time and where it came from. {@code source}
 * names the input partition (for Kafka {@code topic/partition}) and {@code offset} orders events of
 * one source; together they are the duplicate mark kept in each document.
 *
 * @param id the request id, never blank
 * @param fields the event's fields; not modified by the merge
 * @param timestamp event time, epoch milliseconds
 * @param source the input partition, e.g. {@code requests/3}
 * @param offset the position within {@code source}; later events have larger offsets
 */
public record Event(String id, Map<?, ?> fields, long timestamp, String source, long offset) {

    public Event {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(fields, "fields");
        Objects.requireNonNull(source, "source");
    }
}
