package io.github.requestmerge.retry;

/**
 * A transient fault that outlasted the retry timeout ({@code retry.timeout.ms}): the service stayed
 * unavailable longer than the user allows before wanting a failed task and an alert.
 *
 * <p>The message names the call, how long the outage lasted and the last error.
 */
public final class RetriesExhaustedException extends UnrecoverableException {

    private final String what;

    /**
     * @param what the call, as it should read in a message ("bulk request of 500 documents")
     * @param service the service that was unavailable ("Elasticsearch")
     * @param lasted how long it has been unavailable, in ms
     * @param lastError the last error, as the service's {@link Classifier#describe} gives it
     */
    public RetriesExhaustedException(String what, String service, long lasted, String lastError, Throwable cause) {
        super(what + " failed: " + service + " has been unavailable for " + lasted / 1000 + " s, longer than "
            + "retry.timeout.ms allows; last error: " + lastError, cause);
        this.what = what;
    }

    /** The call that failed last. */
    public String what() {
        return what;
    }
}
