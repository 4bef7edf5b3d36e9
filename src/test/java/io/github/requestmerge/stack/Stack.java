package io.github.requestmerge.stack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit 5 entry point to the real stack: {@code @ExtendWith(Stack.class)} on a test class,
 * then {@link #elasticsearch()}, {@link #securedElasticsearch()}, {@link #kafka()}, {@link #connect()} or
 * {@link #s3()} for the endpoints. Each part starts once per JVM, when the first
 * test class needs it, and is shared by all later classes; it stops when the test run ends (the
 * root context closes), and by itself if the JVM dies. A test may stop, kill and restart the shared
 * Elasticsearch node or Connect worker in place (same endpoints); it must leave them running for
 * the classes after it, and they are stopped at the end whichever process runs them then.
 */
public final class Stack implements BeforeAllCallback {

    private static ElasticsearchNode elasticsearch;
    private static ElasticsearchNode securedElasticsearch;
    private static S3Server s3;
    private static KafkaBroker kafka;
    private static ConnectWorker connect;

    @Override
    public void beforeAll(ExtensionContext context) {
        // The root store closes its resources once, at the end of the whole run.
        context.getRoot().getStore(ExtensionContext.Namespace.create(Stack.class))
            .getOrComputeIfAbsent("stack", key -> (ExtensionContext.Store.CloseableResource) Stack::stopAll);
    }

    /** @return the shared Elasticsearch node, started on first use */
    public static synchronized ElasticsearchNode elasticsearch() {
        if (elasticsearch == null) {
            elasticsearch = ElasticsearchNode.start();
        }
        return elasticsearch;
    }

    /**
     * @return the shared Elasticsearch node with security on (HTTPS, users, API keys; see
     *     {@link ElasticsearchNode#startSecured()}), started on first use; a node of its own, beside
     *     {@link #elasticsearch()}
     */
    public static synchronized ElasticsearchNode securedElasticsearch() {
        if (securedElasticsearch == null) {
            securedElasticsearch = ElasticsearchNode.startSecured();
        }
        return securedElasticsearch;
    }

    /** @return the shared S3-compatible server, started on first use */
    public static synchronized S3Server s3() {
        if (s3 == null) {
            s3 = S3Server.start();
        }
        return s3;
    }

    /** @return the shared Kafka broker, started on first use */
    public static synchronized KafkaBroker kafka() {
        if (kafka == null) {
            kafka = KafkaBroker.start();
        }
        return kafka;
    }

    /** @return the shared Connect worker (and its broker), started on first use */
    public static synchronized ConnectWorker connect() {
        if (connect == null) {
            connect = ConnectWorker.start(kafka());
        }
        return connect;
    }

    /**
     * @return the shared stack described as {@code bin/stack up} records it in {@code stack.properties}
     *     (endpoints, PIDs, logs), for tools written against that file (the benchmarks, the quickstart);
     *     starts what is not running yet, except the secured node: its {@code elasticsearch.secured.*}
     *     entries (url, ca, username, password of {@code elastic}, pid, log) are there only once a test
     *     has started it
     */
    public static synchronized java.util.Properties properties() {
        java.util.Properties properties = new java.util.Properties();
        properties.setProperty("elasticsearch.url", elasticsearch().url());
        properties.setProperty("elasticsearch.pid", String.valueOf(elasticsearch().pid()));
        properties.setProperty("elasticsearch.log", elasticsearch().log().toString());
        properties.setProperty("kafka.bootstrap.servers", kafka().bootstrapServers());
        properties.setProperty("kafka.pid", String.valueOf(kafka().pid()));
        properties.setProperty("kafka.log", kafka().log().toString());
        properties.setProperty("connect.url", connect().restUrl());
        properties.setProperty("connect.pid", String.valueOf(connect().pid()));
        properties.setProperty("connect.log", connect().log().toString());
        properties.setProperty("s3.endpoint", s3().endpoint());
        properties.setProperty("s3.pid", String.valueOf(s3().pid()));
        properties.setProperty("s3.log", s3().log().toString());
        properties.setProperty("s3.access.key", s3().accessKey());
        properties.setProperty("s3.secret.key", s3().secretKey());
        properties.setProperty("s3.region", s3().region());
        properties.setProperty("s3.bucket", s3().bucket());
        if (securedElasticsearch != null) {
            properties.setProperty("elasticsearch.secured.url", securedElasticsearch.url());
            properties.setProperty("elasticsearch.secured.ca", securedElasticsearch.caCertificate().toString());
            properties.setProperty("elasticsearch.secured.username", securedElasticsearch.elastic().username());
            properties.setProperty("elasticsearch.secured.password", securedElasticsearch.elastic().password());
            properties.setProperty("elasticsearch.secured.pid", String.valueOf(securedElasticsearch.pid()));
            properties.setProperty("elasticsearch.secured.log", securedElasticsearch.log().toString());
        }
        return properties;
    }

    private static synchronized void stopAll() {
        if (connect != null) {
            connect.close();
            connect = null;
        }
        if (kafka != null) {
            kafka.close();
            kafka = null;
        }
        if (s3 != null) {
            s3.close();
            s3 = null;
        }
        if (elasticsearch != null) {
            elasticsearch.close();
            elasticsearch = null;
        }
        if (securedElasticsearch != null) {
            securedElasticsearch.close();
            securedElasticsearch = null;
        }
    }
}
