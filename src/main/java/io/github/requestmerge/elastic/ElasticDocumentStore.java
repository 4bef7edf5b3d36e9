package io.github.requestmerge.elastic;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ErrorCause;
import co.elastic.clients.elasticsearch._types.Time;
import co.elastic.clients.elasticsearch.core.BulkRequest;
import co.elastic.clients.elasticsearch.core.BulkResponse;
import co.elastic.clients.elasticsearch.core.MgetResponse;
import co.elastic.clients.elasticsearch.core.bulk.BulkOperation;
import co.elastic.clients.elasticsearch.core.bulk.BulkResponseItem;
import co.elastic.clients.elasticsearch.core.get.GetResult;
import co.elastic.clients.elasticsearch.core.mget.MultiGetError;
import co.elastic.clients.elasticsearch.core.mget.MultiGetResponseItem;
import co.elastic.clients.util.BinaryData;
import co.elastic.clients.util.ContentType;

import io.github.requestmerge.merge.StateJson;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;

/**
 * The Elasticsearch {@link DocumentStore}: one multi-get for many ids, one bulk request for many
 * writes, each write guarded by optimistic concurrency (the seq_no/primary_term it was read at,
 * or create-if-absent), so a concurrent writer shows up as a 409 conflict instead of a lost update.
 * Failures are classified by {@link ElasticErrors}: transient ones of a whole request, and of single
 * documents of a multi-get, are retried by {@link Retry}; per-document write results are returned for
 * the caller to act on.
 *
 * <p>Thread-safe (the client is); used by one task's writer thread.
 */
public final class ElasticDocumentStore implements DocumentStore {

    /** Reads stored documents with exact decimals, so sums and their written form stay exact across reloads. */
    private static final ObjectMapper DOCUMENTS = StateJson.READER;

    private final ElasticsearchClient client;
    private final Retry retry;
    private final Time serverWait;

    /**
     * @param readTimeout the client's read timeout ({@link ElasticClients.Settings#effectiveReadTimeout()}). A
     *     bulk request asks the node to answer within half of it, with a 503 for each write whose shard is not
     *     active by then (Elasticsearch's default wait is a minute): the node answers before the client gives
     *     up, and a write is not sent again while the node may still apply it.
     */
    public ElasticDocumentStore(ElasticsearchClient client, Retry retry, Duration readTimeout) {
        this.client = client;
        this.retry = retry;
        long waitMs = Math.max(1, readTimeout.toMillis() / 2);
        this.serverWait = Time.of(t -> t.time(waitMs + "ms"));
    }

    /**
     * Reads documents by id from one index with multi-gets. A document whose shard cannot answer now
     * (a node restarting, shards recovering) is asked for again after a backoff, with the others of
     * its kind only.
     *
     * @return found documents by id; absent ids (and a missing index) are simply not in the map
     * @throws UnrecoverableException for a failure that is not transient, naming the document and
     *     what to fix, or when an outage outlasts the retry timeout
     */
    @Override
    public Map<String, Stored> load(String index, Collection<String> ids) throws UnrecoverableException, InterruptedException {
        Map<String, Stored> found = new HashMap<>();
        List<String> todo = new ArrayList<>(ids);
        for (int attempt = 1; !todo.isEmpty(); attempt++) {
            List<String> request = todo;
            String what = "multi-get of " + request.size() + " documents from " + index;
            MgetResponse<BinaryData> response = retry.call(what,
                () -> client.mget(m -> m.index(index).ids(request).realtime(true), BinaryData.class));
            List<String> again = new ArrayList<>();
            String lastError = null;
            for (MultiGetResponseItem<BinaryData> item : response.docs()) {
                if (item.isFailure()) {
                    MultiGetError failure = item.failure();
                    String type = failure.error().type();
                    if ("index_not_found_exception".equals(type)) {
                        continue;
                    }
                    if (ElasticErrors.ofItem(0, type) == ElasticErrors.Category.TRANSIENT) {
                        again.add(failure.id());
                        lastError = describe(failure.error());
                        continue;
                    }
                    String remedy = ElasticErrors.remedy(0, type);
                    throw new UnrecoverableException("reading document " + failure.id() + " from " + index + " failed: "
                        + describe(failure.error()) + (remedy.isEmpty() ? "" : "; " + remedy));
                }
                GetResult<BinaryData> result = item.result();
                if (result.found() && result.source() != null) {
                    found.put(result.id(), new Stored(parse(result.source()), result.seqNo(), result.primaryTerm()));
                }
            }
            if (!again.isEmpty()) {
                retry.backOff(what + " (" + again.size() + " could not be read now)", lastError, attempt);
            }
            todo = again;
        }
        return found;
    }

    /**
     * Sends writes in one bulk request.
     *
     * @return one result per write, in order
     * @throws UnrecoverableException when the request fails for good
     */
    @Override
    public List<Result> write(List<Write> writes) throws UnrecoverableException, InterruptedException {
        List<BulkOperation> operations = new ArrayList<>(writes.size());
        for (Write write : writes) {
            operations.add(operation(write));
        }
        BulkRequest request = BulkRequest.of(b -> b.operations(operations).timeout(serverWait));
        BulkResponse response = retry.call("bulk request of " + writes.size() + " documents", () -> client.bulk(request));
        List<BulkResponseItem> items = response.items();
        if (items.size() != writes.size()) {
            throw new IllegalStateException("bulk response has " + items.size() + " items for " + writes.size() + " writes");
        }
        List<Result> results = new ArrayList<>(items.size());
        for (BulkResponseItem item : items) {
            ErrorCause error = item.error();
            results.add(new Result(item.status(), item.seqNo() == null ? -1 : item.seqNo(),
                item.primaryTerm() == null ? -1 : item.primaryTerm(),
                error == null ? null : error.type(), error == null ? null : error.reason()));
        }
        return results;
    }

    private static BulkOperation operation(Write write) {
        switch (write.kind()) {
            case CREATE:
                return BulkOperation.of(b -> b.create(c -> c.index(write.index()).id(write.id())
                    .document(BinaryData.of(write.document(), ContentType.APPLICATION_JSON))));
            case INDEX:
                return BulkOperation.of(b -> b.index(i -> {
                    i.index(write.index()).id(write.id()).document(BinaryData.of(write.document(),
                        ContentType.APPLICATION_JSON));
                    if (write.ifSeqNo() >= 0) {
                        i.ifSeqNo(write.ifSeqNo()).ifPrimaryTerm(write.ifPrimaryTerm());
                    }
                    return i;
                }));
            case DELETE:
                return BulkOperation.of(b -> b.delete(d -> {
                    d.index(write.index()).id(write.id());
                    if (write.ifSeqNo() >= 0) {
                        d.ifSeqNo(write.ifSeqNo()).ifPrimaryTerm(write.ifPrimaryTerm());
                    }
                    return d;
                }));
            default:
                throw new IllegalStateException("unknown write " + write.kind());
        }
    }

    private static JsonNode parse(BinaryData source) {
        try (InputStream in = source.asInputStream()) {
            return DOCUMENTS.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("a stored document is not valid JSON", e);
        }
    }

    private static String describe(ErrorCause error) {
        return error.type() + ": " + error.reason();
    }
}
