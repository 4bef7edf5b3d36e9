package io.github.requestmerge.archive;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;

import io.github.requestmerge.retry.Classifier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The one classification of S3 outcomes for the archive's connector and tools: what passes by itself
 * (throttling, 5xx, timeouts, connection refused or reset) versus what needs a person (access denied,
 * a missing bucket, wrong credentials or region), with a remedy naming the setting to fix.
 * Stateless and thread-safe.
 */
public final class S3Errors {

    /**
     * S3 error codes that say "not now" (ConditionalRequestConflict: another conditional write to the key
     * was in progress).
     */
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "ServiceUnavailable", "InternalError",
        "RequestTimeout", "RequestTimeTooSkewed", "Throttling", "ThrottlingException", "TooManyRequests",
        "ConditionalRequestConflict");

    /** How far down a cause chain to look; guards against cause cycles. */
    private static final int MAX_CAUSE_DEPTH = 16;

    /** This classification for {@code Retry}. */
    public static final Classifier CLASSIFIER = new Classifier() {
        @Override
        public String service() {
            return "S3";
        }

        @Override
        public boolean isTransient(Throwable error) {
            return S3Errors.isTransient(error);
        }

        @Override
        public String describe(Throwable error) {
            return S3Errors.describe(error);
        }

        @Override
        public String remedy(Throwable error) {
            return S3Errors.remedy(error);
        }
    };

    private S3Errors() {
    }

    /** @return true when trying again later may succeed */
    public static boolean isTransient(Throwable error) {
        S3Exception s3 = find(error, S3Exception.class);
        if (s3 != null) {
            int status = s3.statusCode();
            String code = code(s3);
            return status == 429 || status >= 500 || status == 408 || TRANSIENT_CODES.contains(code);
        }
        // No answer from S3 at all: connection refused or reset, a timeout, an unknown host for now.
        return find(error, SdkClientException.class) != null || find(error, IOException.class) != null
            || find(error, UncheckedIOException.class) != null;
    }

    /** @return the status, S3's error code and message, or the client error; never a secret */
    public static String describe(Throwable error) {
        S3Exception s3 = find(error, S3Exception.class);
        if (s3 != null) {
            String message = s3.awsErrorDetails() == null ? s3.getMessage() : s3.awsErrorDetails().errorMessage();
            return "HTTP " + s3.statusCode() + " " + code(s3) + (message == null ? "" : ": " + message);
        }
        Throwable root = error;
        for (int depth = 0; root.getCause() != null && root.getCause() != root && depth < MAX_CAUSE_DEPTH; depth++) {
            root = root.getCause();
        }
        return root == error ? error.getClass().getName() + ": " + error.getMessage()
            : error.getClass().getSimpleName() + ": " + root.getClass().getName() + ": " + root.getMessage();
    }

    /** @return what a person must do about an error that is not transient, or empty */
    public static String remedy(Throwable error) {
        S3Exception s3 = find(error, S3Exception.class);
        if (s3 == null) {
            return "";
        }
        String code = code(s3);
        if (code.equals("NoSuchBucket")) {
            return "create the bucket, or correct s3.bucket.name";
        }
        if (code.equals("InvalidAccessKeyId") || code.equals("SignatureDoesNotMatch")) {
            return "check aws.access.key.id and aws.secret.access.key (or the default credentials)";
        }
        if (s3.statusCode() == 403) {
            return "grant the credentials s3:PutObject, s3:GetObject, s3:ListBucket and the multipart upload actions on "
                + "the bucket";
        }
        if (s3.statusCode() == 301 || code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
            return "set s3.region to the bucket's region";
        }
        return "";
    }

    private static String code(S3Exception error) {
        return error.awsErrorDetails() == null || error.awsErrorDetails().errorCode() == null ? ""
            : error.awsErrorDetails().errorCode();
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < MAX_CAUSE_DEPTH; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
