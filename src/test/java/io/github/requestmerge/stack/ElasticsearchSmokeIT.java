package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.Map;

import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.core.SearchResponse;
import co.elastic.clients.json.jackson.JacksonJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;

/** The Elasticsearch node is real: the client the connector will use indexes, gets and searches a document. */
@ExtendWith(Stack.class)
class ElasticsearchSmokeIT {

    private static RestClient rest;
    private static ElasticsearchClient client;

    @BeforeAll
    static void connect() {
        rest = RestClient.builder(HttpHost.create(Stack.elasticsearch().url())).build();
        client = new ElasticsearchClient(new RestClientTransport(rest, new JacksonJsonpMapper()));
    }

    @AfterAll
    static void disconnect() throws IOException {
        rest.close();
    }

    @Test
    void nodeAnswersInfoAndPing() throws IOException {
        assertTrue(client.ping().value());
        String expected = Stack.elasticsearch().part().equals("elasticsearch-9") ? "9.5.3" : "8.19.21";
        assertEquals(expected, client.info().version().number());
    }

    @Test
    @SuppressWarnings("rawtypes")
    void documentIsIndexedAndFound() throws IOException {
        client.index(i -> i.index("smoke").id("abc123").document(Map.of("id", "abc123", "clicks", 4)).refresh(
            co.elastic.clients.elasticsearch._types.Refresh.True));
        assertEquals(4, ((Number) client.get(g -> g.index("smoke").id("abc123"), Map.class).source().get("clicks"))
            .intValue());
        SearchResponse<Map> found = client.search(s -> s.index("smoke").query(q -> q.term(t -> t.field("id.keyword")
            .value("abc123"))), Map.class);
        assertEquals(1, found.hits().total().value());
    }
}
