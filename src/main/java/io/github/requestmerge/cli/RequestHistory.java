package io.github.requestmerge.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.sink.BadRecordException;
import io.github.requestmerge.sink.OfflineMerge;

/**
 * One request's history: its records merged in offset order by the sink's own merge ({@link OfflineMerge}),
 * each with what it did to the document (the fields it changed, a number's change with its new total) or why
 * it changed nothing (a duplicate, a rejection with the live connector's reason); the final document; and,
 * for a point in time, the document merged from the events whose event time is at or before it (as the live
 * connector had written it once those events were merged), with the events it took. Immutable once made.
 */
final class RequestHistory {

    /** One event and what it did. */
    record Step(HistorySearch.Found found, String outcome, List<String> changes, boolean included) {
    }

    private final String id;
    private final List<Step> steps;
    private final JsonNode finalDocument;
    private final Long at;
    private final JsonNode atDocument;

    private RequestHistory(String id, List<Step> steps, JsonNode finalDocument, Long at, JsonNode atDocument) {
        this.id = id;
        this.steps = steps;
        this.finalDocument = finalDocument;
        this.at = at;
        this.atDocument = atDocument;
    }

    /**
     * @param at the point in time (epoch millis), or null
     */
    static RequestHistory of(String id, HistorySearch.Result result, OfflineMerge merge, Long at) {
        OfflineMerge.Document document = new OfflineMerge.Document();
        OfflineMerge.Document atDocument = new OfflineMerge.Document();
        List<Step> steps = new ArrayList<>();
        for (HistorySearch.Found found : result.events()) {
            Long time = found.time();
            boolean included = at != null && time != null && time <= at;
            if (found.change() == null) {
                String outcome = found.droppedByTransform() ? "dropped by a transform of the sink config"
                    : found.rejectStage() == null ? "skipped: " + found.rejectReason()
                    : "rejected (" + found.rejectStage() + "): " + found.rejectReason();
                steps.add(new Step(found, outcome, List.of(), false));
                continue;
            }
            JsonNode before = json(merge, document);
            String outcome;
            List<String> changes = List.of();
            try {
                switch (merge.merge(document, found.change())) {
                    case MERGED -> {
                        outcome = "merged";
                        changes = changes(before, json(merge, document), merge);
                    }
                    case DUPLICATE -> outcome = "skipped: already merged (offset at or below the document's mark for "
                        + found.change().source() + ")";
                    case DELETED -> outcome = "tombstone: the document is deleted and starts over";
                    default -> throw new IllegalStateException("unhandled outcome");
                }
            } catch (BadRecordException e) {
                outcome = "rejected (merge): " + e.getMessage();
                included = false;
            }
            if (included) {
                try {
                    merge.merge(atDocument, found.change());
                } catch (BadRecordException e) {
                    // The same conflict may or may not arise without the later events; as the live connector had it.
                    included = false;
                }
            }
            steps.add(new Step(found, outcome, changes, included));
        }
        return new RequestHistory(id, steps, document.exists() ? HistoryCommand.parse(merge.write(document)) : null, at,
            at != null && atDocument.exists() ? HistoryCommand.parse(merge.write(atDocument)) : null);
    }

    private static JsonNode json(OfflineMerge merge, OfflineMerge.Document document) {
        return document.exists() ? HistoryCommand.parse(merge.write(document)) : HistoryCommand.object();
    }

    /** @return the fields an event changed, as {@code field: old -> new}, numbers with their change */
    private static List<String> changes(JsonNode before, JsonNode after, OfflineMerge merge) {
        List<String> changes = new ArrayList<>();
        List<String> ignored = List.of(merge.rules().metadataField(), merge.rules().createdField(),
            merge.rules().updatedField());
        for (DocumentDiff.Difference difference : DocumentDiff.diff(before, after, ignored)) {
            JsonNode old = at(before, difference.path());
            JsonNode now = at(after, difference.path());
            if (old != null && now != null && old.isNumber() && now.isNumber()) {
                java.math.BigDecimal delta = now.decimalValue().subtract(old.decimalValue());
                changes.add(difference.path() + " " + (delta.signum() >= 0 ? "+" : "") + delta.stripTrailingZeros()
                    .toPlainString() + " = " + now);
            } else if (old == null) {
                changes.add(difference.path() + " = " + difference.index());
            } else {
                changes.add(difference.path() + ": " + difference.archive() + " -> " + difference.index());
            }
        }
        return changes;
    }

    /** @return the node at a dotted path (array elements as {@code [i]}), or null */
    private static JsonNode at(JsonNode root, String path) {
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            node = node == null ? null : node.get(name);
            while (node != null && bracket >= 0) {
                int close = part.indexOf(']', bracket);
                node = node.get(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
        return node;
    }

    /** @return the document after all the events, or null when they leave none */
    JsonNode finalDocument() {
        return finalDocument;
    }

    /** @return the document at {@code --at}, or null when there was none then */
    JsonNode atDocument() {
        return atDocument;
    }

    List<Step> steps() {
        return steps;
    }

    private List<Long> includedOffsets() {
        List<Long> offsets = new ArrayList<>();
        for (Step step : steps) {
            if (step.included()) {
                offsets.add(step.found().raw().offset());
            }
        }
        return offsets;
    }

    void print(PrintWriter out, HistorySearch.Result result, String liveIndex, List<DocumentDiff.Difference> differences) {
        out.println("history of '" + id + "'");
        out.println("  partition   " + result.source() + " (from " + result.partitionFrom() + ")");
        out.println("  read        " + result.objectsRead() + " of " + result.partitionObjects() + " objects of "
            + result.source() + " (" + (result.narrowed() ? "narrowed" : "the whole partition") + "), "
            + size(result.bytesRead()) + " of its " + size(result.partitionBytes()) + " stored"
            + (result.probes() == 0 ? "" : ", " + size(result.probeBytes()) + " of them in " + result.probes()
                + " first-line probes for the time bound")
            + "; the archive holds " + result.archiveObjects() + " objects, " + size(result.archiveBytes()));
        for (String note : result.notes()) {
            out.println("  note        " + note);
        }
        for (String problem : result.problems()) {
            out.println("  problem     " + problem);
        }
        out.println();
        out.println(String.format("  %-24s  %-24s  %9s  %s", "TIME", "TOPIC/PARTITION", "OFFSET", "EVENT"));
        for (Step step : steps) {
            HistorySearch.Found found = step.found();
            String event = step.outcome() + (step.changes().isEmpty() ? "" : ": " + String.join("; ", step.changes()))
                + (at != null && step.included() ? "  [at]" : "");
            out.println(String.format("  %-24s  %-24s  %9d  %s", HistoryCommand.time(found.time()),
                found.raw().topic() + "/" + found.raw().partition(), found.raw().offset(), event));
        }
        out.println();
        if (at != null) {
            List<Long> included = includedOffsets();
            out.println("at " + HistoryCommand.time(at) + ": " + included.size() + " of " + steps.size()
                + " events included" + (included.isEmpty() ? "" : " (offsets " + join(included) + ", marked [at])"));
            out.println(atDocument == null ? "no document at that time" : pretty(atDocument));
        } else {
            out.println("document" + (liveIndex == null ? "" : " (live in " + liveIndex + ")") + ":");
            out.println(finalDocument == null ? "none: the events leave no document" : pretty(finalDocument));
        }
        if (differences != null) {
            if (differences.isEmpty()) {
                out.println("the final document equals the live document in " + liveIndex);
            } else {
                out.println("the final document differs from the live document in " + liveIndex + ":");
                for (DocumentDiff.Difference difference : differences) {
                    out.println("    " + difference);
                }
            }
        }
        out.println();
    }

    String json(HistorySearch.Result result, String liveIndex, List<DocumentDiff.Difference> differences) {
        ObjectNode json = HistoryCommand.object();
        json.put("id", id);
        json.put("partition", result.source());
        json.put("partition_from", result.partitionFrom());
        json.put("narrowed", result.narrowed());
        json.put("objects_read", result.objectsRead());
        json.put("bytes_read", result.bytesRead());
        json.put("probe_bytes", result.probeBytes());
        json.put("probes", result.probes());
        json.put("partition_objects", result.partitionObjects());
        json.put("partition_bytes", result.partitionBytes());
        json.put("archive_objects", result.archiveObjects());
        json.put("archive_bytes", result.archiveBytes());
        ArrayNode notes = json.putArray("notes");
        result.notes().forEach(notes::add);
        ArrayNode problems = json.putArray("problems");
        result.problems().forEach(problems::add);
        ArrayNode events = json.putArray("events");
        for (Step step : steps) {
            HistorySearch.Found found = step.found();
            ObjectNode event = events.addObject();
            event.put("time", HistoryCommand.time(found.time()));
            event.put("topic", found.raw().topic());
            event.put("partition", found.raw().partition());
            event.put("offset", found.raw().offset());
            event.put("object", found.objectKey());
            event.put("line", found.line());
            event.put("outcome", step.outcome());
            ArrayNode changes = event.putArray("changes");
            step.changes().forEach(changes::add);
            if (at != null) {
                event.put("included", step.included());
            }
        }
        json.set("document", finalDocument);
        if (at != null) {
            json.put("at", HistoryCommand.time(at));
            json.set("document_at", atDocument);
            ArrayNode included = json.putArray("included_offsets");
            includedOffsets().forEach(included::add);
        }
        if (liveIndex != null) {
            json.put("live_index", liveIndex);
        }
        if (differences != null) {
            ArrayNode different = json.putArray("differences_from_live");
            differences.forEach(difference -> different.add(difference.toString()));
        }
        return json.toString();
    }

    /** @return a size in bytes, KiB or MiB */
    static String size(long bytes) {
        if (bytes < 10 * 1024) {
            return bytes + " bytes";
        }
        if (bytes < 10L << 20) {
            return String.format(Locale.ROOT, "%.1f KiB", bytes / 1024.0);
        }
        return Summary.mib(bytes);
    }

    private static String join(List<Long> offsets) {
        StringBuilder text = new StringBuilder();
        for (Long offset : offsets) {
            text.append(text.length() == 0 ? "" : ", ").append(offset);
        }
        return text.toString();
    }

    private static String pretty(JsonNode document) {
        try {
            return ElasticAdmin.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
