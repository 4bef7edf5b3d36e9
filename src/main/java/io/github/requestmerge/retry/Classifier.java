package io.github.requestmerge.retry;

/**
 * How a remote service's failures are judged, for {@link Retry}: which ones pass by themselves, and
 * how to tell a person about the others. Each service has one ({@code elastic.ElasticErrors},
 * {@code archive.S3Errors}); no call site decides on its own what is worth a retry.
 */
public interface Classifier {

    /** @return the service's name, for log lines ("Elasticsearch", "S3") */
    String service();

    /** @return true when trying the same call again later may succeed */
    boolean isTransient(Throwable error);

    /** @return a short description for logs and task traces; never a document or a secret */
    String describe(Throwable error);

    /** @return what a person must do about a failure that is not transient, or an empty string */
    String remedy(Throwable error);

    /**
     * @return true when the service refused the credentials (HTTP 401). Not transient as a rule, but a
     *     service may refuse valid credentials for a moment (a secured Elasticsearch right after a
     *     restart, while its security index recovers), so {@link Retry} gives such a refusal
     *     {@link Retry#CREDENTIALS_GRACE} before it gives up
     */
    default boolean refusesCredentials(Throwable error) {
        return false;
    }
}
