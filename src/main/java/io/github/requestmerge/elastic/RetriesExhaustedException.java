package io.github.requestmerge.elastic;

/**
 * A transient fault that outlasted the retry timeout ({@code retry.timeout.ms}): Elasticsearch
 * stayed unavailable longer than the user allows before wanting a failed task and an alert.
 *
 * <p>The message names the call, how long the outage lasted and the last error.
 */
public final class RetriesExhaustedException extends UnrecoverableException {

    private final String what;

    /**
     * @param what the call, as it should read in a message ("bulk request of 500 documents")
     * @param lasted how long Elasticsearch has been unavailable, in ms
     * @param lastError the last error, as {@link ElasticErrors#describe} gives it
     */
    public RetriesExhaustedException(String what, long lasted, String lastError, Throwable cause) {
        super(what + " failed: Elasticsearch has been unavailable for " + lasted / 1000 + " s, longer than "
            + "retry.timeout.ms allows; last error: " + lastError, cause);
        this.what = what;
    }

    /** The call that failed last. */
    public String what() {
        return what;
    }
}
