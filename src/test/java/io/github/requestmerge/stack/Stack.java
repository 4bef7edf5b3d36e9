package io.github.requestmerge.stack;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit 5 entry point to the real stack: {@code @ExtendWith(Stack.class)} on a test class,
 * then {@link #elasticsearch()} for the endpoint. Each part starts once per JVM, when the first
 * test class needs it, and is shared by all later classes; it stops when the test run ends (the
 * root context closes), and by itself if the JVM dies.
 */
public final class Stack implements BeforeAllCallback {

    private static ElasticsearchNode elasticsearch;

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

    private static synchronized void stopAll() {
        if (elasticsearch != null) {
            elasticsearch.close();
            elasticsearch = null;
        }
    }
}
