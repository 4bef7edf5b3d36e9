package io.github.requestmerge.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.github.requestmerge.elastic.DocumentStore;
import io.github.requestmerge.retry.UnrecoverableException;
import io.github.requestmerge.sink.OfflineMerge;

/**
 * What {@code verify} does with each pass's documents: reads the live index (the whole index with a
 * scroll, or just the {@code --id}s with multi-gets), keeps the documents whose ids the pass covers, and
 * compares each with the document the archive rebuilt, field by field ({@link DocumentDiff}). A live
 * document whose {@code _merge.offsets} go beyond what the archive holds for a partition (the archive
 * connector is behind, or the archive ends early) is one the archive cannot vouch for yet: counted apart,
 * not compared. Used by the scanning thread.
 */
final class VerifyComparison {

    private static final int PAGE = 1000;
    private static final int MGET_CHUNK = 1000;

    private final ElasticAdmin admin;
    private final DocumentStore store;
    private final OfflineMerge merge;
    private final String indexOption;
    private final Set<String> ids;
    private final List<String> ignored;
    private final int maxDifferences;
    private final Summary summary;
    private final Map<String, Long> lastOffsets;
    private final String metadataField;

    VerifyComparison(ElasticAdmin admin, DocumentStore store, OfflineMerge merge, String indexOption, Set<String> ids,
                     List<String> ignored, int maxDifferences, Summary summary, Map<String, Long> lastOffsets) {
        this.admin = admin;
        this.store = store;
        this.merge = merge;
        this.indexOption = indexOption;
        this.ids = ids;
        this.ignored = ignored;
        this.maxDifferences = maxDifferences;
        this.summary = summary;
        this.lastOffsets = lastOffsets;
        this.metadataField = merge.rules().metadataField();
    }

    void compare(DocumentTable table) throws UnrecoverableException, InterruptedException {
        if (indexOption != null && summary.liveIndices.size() > 1) {
            throw new ConfigurationError(null, "--index", "the records go to several live indices (" + String.join(", ",
                summary.liveIndices) + "), so one index cannot stand for them; leave --index out");
        }
        for (String live : summary.liveIndices) {
            String index = indexOption != null ? indexOption : live;
            if (ids != null) {
                List<String> wanted = new ArrayList<>();
                for (String id : ids) {
                    if (table.contains(DocumentTable.hash(id))) {
                        wanted.add(id);
                    }
                }
                for (int from = 0; from < wanted.size(); from += MGET_CHUNK) {
                    List<String> chunk = wanted.subList(from, Math.min(wanted.size(), from + MGET_CHUNK));
                    for (Map.Entry<String, DocumentStore.Stored> found : store.load(index, chunk).entrySet()) {
                        document(table, live, index, found.getKey(), found.getValue().source());
                    }
                }
            } else {
                boolean exists = admin.scan(index, PAGE, (id, source) -> {
                    if (table.contains(DocumentTable.hash(id))) {
                        document(table, live, index, id, source);
                    }
                });
                if (!exists && !summary.notes.contains("index " + index + " does not exist")) {
                    summary.notes.add("index " + index + " does not exist");
                }
            }
        }
        for (DocumentTable.Entry entry : table.entries()) {
            if (entry.document.exists() && !entry.seen) {
                summary.missing++;
                Summary.example(summary.missingExamples, "'" + entry.id + "'");
            }
        }
    }

    private void document(DocumentTable table, String live, String index, String id, JsonNode source) {
        DocumentTable.Entry entry = table.find(live, id);
        if (entry != null) {
            entry.seen = true;
        }
        String beyond = beyondArchive(source);
        if (beyond != null) {
            summary.notVouched++;
            Summary.example(summary.notVouchedExamples, "'" + id + "' (" + beyond + ")");
            return;
        }
        if (entry == null || !entry.document.exists()) {
            summary.extra++;
            Summary.example(summary.extraExamples, "'" + id + "'");
            return;
        }
        summary.compared++;
        JsonNode rebuilt;
        try {
            rebuilt = ElasticAdmin.JSON.readTree(merge.write(entry.document));
        } catch (IOException e) {
            throw new IllegalStateException("a rebuilt document is not JSON", e);
        }
        List<DocumentDiff.Difference> differences = DocumentDiff.diff(rebuilt, source, ignored);
        if (differences.isEmpty()) {
            summary.equal++;
            return;
        }
        summary.different++;
        if (summary.differenceExamples.size() < maxDifferences) {
            StringBuilder text = new StringBuilder("id '" + id + "' in " + index + ":");
            for (DocumentDiff.Difference difference : differences) {
                text.append("\n        ").append(difference);
            }
            summary.differenceExamples.add(text.toString());
        }
    }

    /** @return why the archive cannot vouch for the document (a mark beyond the archive), or null when it can */
    private String beyondArchive(JsonNode source) {
        JsonNode offsets = source.path(metadataField).path("offsets");
        for (Iterator<Map.Entry<String, JsonNode>> it = offsets.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> mark = it.next();
            Long last = lastOffsets.get(mark.getKey());
            long offset = mark.getValue().asLong();
            if (last == null) {
                return mark.getKey() + " is not in the archive";
            }
            if (offset > last) {
                return mark.getKey() + " offset " + offset + ", the archive ends at " + last;
            }
        }
        return null;
    }
}
