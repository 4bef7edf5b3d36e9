package io.github.requestmerge.sink;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.github.requestmerge.elastic.DocumentStore;
import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.testing.Documents;

/**
 * A document store with Elasticsearch's concurrency semantics (seq_no checks, create-if-absent),
 * kept in memory, whose per-document answers a test can script: the failure paths a real node
 * cannot be made to produce on demand (a 429 for one item of a bulk response, a write racing
 * between read and write, a request applied whose answer was lost).
 */
final class InMemoryStore implements DocumentStore {

    private final Map<String, JsonNode> documents = new HashMap<>();
    private final Map<String, Long> seqNos = new HashMap<>();
    private final Map<String, Deque<Result>> scripted = new HashMap<>();
    private long nextSeqNo;
    int loads;
    /** Every id read, in order. */
    final List<String> loaded = new ArrayList<>();
    int bulks;
    int writes;
    /** Runs after each load: lets a test write "from another task" between a read and the write. */
    Runnable afterLoad = () -> { };
    /**
     * The next this many bulk requests are applied, but their answers are lost (the node died, a read timed
     * out): each is sent again at once, as {@code ElasticDocumentStore}'s retry sends it, and the caller gets
     * the answers to that second request.
     */
    int lostAnswers;

    /** The next writes of this id answer these statuses instead of being applied. */
    void script(String id, Integer... statuses) {
        for (int status : statuses) {
            scriptError(id, status, status == 400 ? "document_parsing_exception" : "scripted");
        }
    }

    /** The next write of this id answers this status and error type instead of being applied. */
    void scriptError(String id, int status, String type) {
        scripted.computeIfAbsent(id, k -> new ArrayDeque<>()).add(new Result(status, -1, -1, type, "scripted " + status));
    }

    JsonNode get(String id) {
        return documents.get(id);
    }

    /** Replaces a document as another writer would, bumping its version. */
    void overwrite(String id, String json) {
        try {
            documents.put(id, Documents.JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
        seqNos.put(id, nextSeqNo++);
    }

    @Override
    public Map<String, Stored> load(String index, Collection<String> ids) {
        loads++;
        loaded.addAll(ids);
        Map<String, Stored> found = new HashMap<>();
        for (String id : ids) {
            if (documents.containsKey(id)) {
                found.put(id, new Stored(documents.get(id).deepCopy(), seqNos.get(id), 1));
            }
        }
        afterLoad.run();
        return found;
    }

    @Override
    public List<Result> write(List<Write> batch) {
        if (lostAnswers > 0) {
            lostAnswers--;
            apply(batch);
        }
        return apply(batch);
    }

    private List<Result> apply(List<Write> batch) {
        bulks++;
        List<Result> results = new ArrayList<>();
        for (Write write : batch) {
            Deque<Result> script = scripted.get(write.id());
            Result answer = script == null ? null : script.poll();
            if (answer != null) {
                results.add(answer);
                continue;
            }
            boolean exists = documents.containsKey(write.id());
            switch (write.kind()) {
                case CREATE:
                    if (exists) {
                        results.add(conflict());
                        continue;
                    }
                    break;
                case INDEX:
                case DELETE:
                    if (write.ifSeqNo() >= 0 && (!exists || seqNos.get(write.id()) != write.ifSeqNo())) {
                        results.add(conflict());
                        continue;
                    }
                    break;
                default:
                    throw new IllegalStateException();
            }
            writes++;
            if (write.kind() == Write.Kind.DELETE) {
                documents.remove(write.id());
                results.add(new Result(200, nextSeqNo++, 1, null, null));
            } else {
                try {
                    // Parsed as ElasticDocumentStore parses the source Elasticsearch returns.
                    documents.put(write.id(), (ObjectNode) StateJson.READER.readTree(write.document()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                seqNos.put(write.id(), nextSeqNo);
                results.add(new Result(201, nextSeqNo++, 1, null, null));
            }
        }
        return results;
    }

    private static Result conflict() {
        return new Result(409, -1, -1, "version_conflict_engine_exception", "version conflict");
    }
}
