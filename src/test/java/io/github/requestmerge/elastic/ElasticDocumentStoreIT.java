package io.github.requestmerge.elastic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.StringReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.github.requestmerge.elastic.DocumentStore.Result;
import io.github.requestmerge.elastic.DocumentStore.Write;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.stack.Stack;

/** The store against the real node, where what it asks of the node matters. */
@ExtendWith(Stack.class)
class ElasticDocumentStoreIT {

    private static final String INDEX = "store-unallocated";
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(4);

    private ElasticsearchClient client;

    @BeforeEach
    void connect() {
        client = ElasticClients.open(new ElasticClients.Settings(List.of(URI.create(Stack.elasticsearch().url())),
            null, null, null, null, null, null, null, Duration.ofSeconds(2), READ_TIMEOUT));
    }

    @AfterEach
    void disconnect() throws Exception {
        client.indices().delete(d -> d.index(INDEX).ignoreUnavailable(true));
        ElasticClients.close(client);
    }

    /**
     * A write whose shard is not active (a node restarting, its shards recovering) is answered by the node,
     * with a 503 the writer retries, before the client's read timeout: Elasticsearch would otherwise wait a
     * minute for the shard, the client give up first and send the request again while the node may still
     * apply the first one. The retry policy here gives up before the read timeout is reached, so a client
     * timeout would end the test with an exception instead of a result.
     */
    @Test
    void aWriteWhoseShardIsNotActiveIsAnsweredByTheNodeBeforeTheClientGivesUp() throws Exception {
        // An index whose only shard can never be allocated: its primary never becomes active.
        client.indices().create(c -> c.index(INDEX).waitForActiveShards(w -> w.count(0))
            .withJson(new StringReader("{\"settings\":{\"number_of_replicas\":0,"
                + "\"index.routing.allocation.require._name\":\"no-such-node\"}}")));
        Retry retry = new Retry(Duration.ofMillis(100), Duration.ofMillis(100), Duration.ofSeconds(1), Retry.Jitter.EQUAL,
            Retry.Sleeper.THREAD_SLEEP, new Random(1), Availability.of("test", "Elasticsearch"), ElasticErrors.CLASSIFIER);
        DocumentStore store = new ElasticDocumentStore(client, retry, READ_TIMEOUT);

        List<Result> results = store.write(List.of(
            Write.create(INDEX, "a", "{\"clicks\":1}".getBytes(StandardCharsets.UTF_8))));

        Result result = results.get(0);
        assertEquals(503, result.status(), result.error());
        assertEquals("unavailable_shards_exception", result.errorType());
        assertEquals(ElasticErrors.Category.TRANSIENT, result.category(), "written again by the writer");
    }
}
