package io.github.requestmerge.retry;

/**
 * A call to a remote service (Elasticsearch, S3) that cannot succeed without a person: an outcome
 * that is not transient (401/403, a closed or missing index, a missing bucket, an untrusted
 * certificate, a refused template), or a transient one that outlasted the retry timeout
 * ({@link RetriesExhaustedException}). The message
 * says what failed and, where it can, what to fix; it never holds a document or a credential.
 */
public class UnrecoverableException extends Exception {

    public UnrecoverableException(String message, Throwable cause) {
        super(message, cause);
    }

    public UnrecoverableException(String message) {
        super(message);
    }

    /**
     * @return the exception for a request that failed with a non-transient error: what was tried, the
     *     error and what to fix
     */
    public static UnrecoverableException of(String what, Throwable error, Classifier classifier) {
        String remedy = classifier.remedy(error);
        return new UnrecoverableException(what + " failed: " + classifier.describe(error)
            + (remedy.isEmpty() ? "" : "; " + remedy), error);
    }
}
