package io.github.requestmerge.archive;

import java.net.UnknownHostException;
import java.time.Duration;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.github.requestmerge.CheckedSinkConnector.Problem;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.retry.UnrecoverableException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Whether the archive's bucket can be written, as {@code Connector.validate()} and each task check it:
 * a small probe object is put under {@code topics.dir} (named so no reader takes it for an archive
 * object) and deleted again. With conditional writes on, it is put a second time with If-None-Match: *,
 * which must be refused with 412; a store that replaces the object instead would let a zombie task
 * overwrite the archive, so that is an error, not something to find out later.
 */
final class ArchiveBucketProbe {

    private static final Logger log = LoggerFactory.getLogger(ArchiveBucketProbe.class);

    /** How long validate() waits for one request: Connect's REST call must not time out. */
    static final Duration VALIDATE_TIMEOUT = Duration.ofSeconds(10);

    private ArchiveBucketProbe() {
    }

    /** Probes the bucket of a valid configuration, one attempt per request. @return the problem, or null */
    static Problem check(RawArchiveConfig config) {
        S3Settings settings = config.s3Settings();
        S3Settings quick = new S3Settings(settings.bucket(), settings.region(), settings.endpoint(), settings.pathStyle(),
            settings.accessKey(), settings.secretKey(), VALIDATE_TIMEOUT);
        try (S3Client client = S3Clients.open(quick)) {
            return check(client, quick, config.layout().root(), config.conditionalWrites());
        } catch (SdkException e) {
            return problem(e, settings, "opening a client");
        }
    }

    static Problem check(S3Client client, S3Settings settings, String root, boolean conditional) {
        String key = probeKey(root);
        try {
            put(client, settings.bucket(), key, conditional);
        } catch (SdkException e) {
            return problem(e, settings, "writing the probe object " + key);
        }
        try {
            if (conditional) {
                try {
                    put(client, settings.bucket(), key, true);
                    return new Problem(RawArchiveConfig.S3_CONDITIONAL_WRITES, notHonoured(settings, key), true);
                } catch (S3Exception e) {
                    if (e.statusCode() != 412) {
                        return problem(e, settings, "writing the probe object " + key + " again with If-None-Match: *");
                    }
                }
            }
            return null;
        } finally {
            delete(client, settings, key);
        }
    }

    /**
     * The task's check, before its first upload: waits for S3 as long as {@code retry} does, and fails when
     * the store does not refuse a second conditional write.
     */
    static void requireConditionalWrites(S3Client client, S3Settings settings, String root, Retry retry)
            throws UnrecoverableException, InterruptedException {
        String key = probeKey(root);
        retry.call("PutObject " + key, () -> {
            try {
                put(client, settings.bucket(), key, true);
            } catch (S3Exception e) {
                if (e.statusCode() != 412) { // 412: an earlier attempt did write it
                    throw e;
                }
            }
            return null;
        });
        boolean honoured = retry.call("PutObject " + key + " again with If-None-Match: *", () -> {
            try {
                put(client, settings.bucket(), key, true);
                return false;
            } catch (S3Exception e) {
                if (e.statusCode() == 412) {
                    return true;
                }
                throw e;
            }
        });
        retry.availability().succeeded();
        delete(client, settings, key);
        if (!honoured) {
            throw new UnrecoverableException(notHonoured(settings, key));
        }
    }

    private static String notHonoured(S3Settings settings, String key) {
        return settings.describe() + " does not honour conditional writes: a second PutObject of " + key + " with "
            + "If-None-Match: * replaced the object instead of failing with 412. Without them a zombie task could "
            + "overwrite the archive: set " + RawArchiveConfig.S3_CONDITIONAL_WRITES + "=false and "
            + RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS + "=-1 (exactly once then rests on deterministic rotation)";
    }

    private static void put(S3Client client, String bucket, String key, boolean conditional) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(key);
        if (conditional) {
            request.ifNoneMatch("*");
        }
        client.putObject(request.build(), RequestBody.fromString("probe of the request-merge raw archive sink\n"));
    }

    private static void delete(S3Client client, S3Settings settings, String key) {
        try {
            client.deleteObject(d -> d.bucket(settings.bucket()).key(key));
        } catch (SdkException e) {
            log.warn("Could not delete the probe object s3://{}/{} ({}); the connector itself never deletes, so it "
                + "needs no s3:DeleteObject, but remove the object by hand", settings.bucket(), key, S3Errors.describe(e));
        }
    }

    /** @return a key of its own under {@code topics.dir}, beside the topic folders (no archive object is named so) */
    static String probeKey(String root) {
        return root + ".request-merge-probe-" + UUID.randomUUID();
    }

    /** @return the problem a failed request shows, against the key to fix */
    static Problem problem(SdkException error, S3Settings settings, String what) {
        String where = settings.describe();
        String storeKey = settings.endpoint() != null ? RawArchiveConfig.STORE_URL : RawArchiveConfig.S3_REGION;
        if (error instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null ? ""
                : s3.awsErrorDetails().errorCode();
            String answer = what + " at " + where + " failed: " + S3Errors.describe(error);
            switch (code) {
                case "NoSuchBucket":
                    return new Problem(RawArchiveConfig.S3_BUCKET_NAME, "the bucket '" + settings.bucket()
                        + "' does not exist (" + answer + "): create it, or correct " + RawArchiveConfig.S3_BUCKET_NAME, true);
                case "InvalidBucketName":
                    return new Problem(RawArchiveConfig.S3_BUCKET_NAME, answer, true);
                case "InvalidAccessKeyId":
                    return new Problem(RawArchiveConfig.AWS_ACCESS_KEY_ID, "the store does not know this access key id ("
                        + answer + "): check " + RawArchiveConfig.AWS_ACCESS_KEY_ID, true);
                case "SignatureDoesNotMatch":
                    return new Problem(RawArchiveConfig.AWS_SECRET_ACCESS_KEY, "the secret access key does not match the "
                        + "access key id (" + answer + "): check " + RawArchiveConfig.AWS_SECRET_ACCESS_KEY, true);
                case "PermanentRedirect":
                case "AuthorizationHeaderMalformed":
                case "IllegalLocationConstraintException":
                    return new Problem(RawArchiveConfig.S3_REGION, answer + ": set " + RawArchiveConfig.S3_REGION
                        + " to the bucket's region", true);
                default:
                    break;
            }
            if (s3.statusCode() == 403) {
                return new Problem(RawArchiveConfig.AWS_ACCESS_KEY_ID, "access denied (" + answer + "): grant the "
                    + "credentials s3:PutObject, s3:GetObject, s3:ListBucket and the multipart upload actions on the "
                    + "bucket", true);
            }
            if (s3.statusCode() == 301) {
                return new Problem(RawArchiveConfig.S3_REGION, answer + ": set " + RawArchiveConfig.S3_REGION
                    + " to the bucket's region", true);
            }
            if (s3.statusCode() == 501) {
                return new Problem(RawArchiveConfig.S3_CONDITIONAL_WRITES, answer + ": the store does not implement "
                    + "conditional writes; set " + RawArchiveConfig.S3_CONDITIONAL_WRITES + "=false and "
                    + RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS + "=-1", true);
            }
            if (S3Errors.isTransient(error)) {
                return new Problem(storeKey, "S3 at " + where + " is unavailable right now (" + S3Errors.describe(error)
                    + ")", false);
            }
            return new Problem(storeKey, answer + " (is this an S3 endpoint?)", true);
        }
        if (find(error, UnknownHostException.class) != null) {
            return new Problem(storeKey, "cannot reach S3 at " + where + ": unknown host ("
                + find(error, UnknownHostException.class).getMessage() + ")", true);
        }
        if (error instanceof SdkClientException && String.valueOf(error.getMessage()).contains("Unable to load credentials")) {
            return new Problem(RawArchiveConfig.AWS_ACCESS_KEY_ID, "no AWS credentials: set "
                + RawArchiveConfig.AWS_ACCESS_KEY_ID + " and " + RawArchiveConfig.AWS_SECRET_ACCESS_KEY + ", or give the "
                + "worker default credentials (environment, profile or role)", true);
        }
        return new Problem(storeKey, "S3 at " + where + " does not answer right now (" + S3Errors.describe(error) + ")",
            false);
    }

    private static <T extends Throwable> T find(Throwable error, Class<T> type) {
        Throwable t = error;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }
}
