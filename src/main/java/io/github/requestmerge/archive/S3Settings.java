package io.github.requestmerge.archive;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * How to reach the archive's bucket: the bucket, its region, an optional endpoint (an S3-compatible
 * server such as MinIO, or a VPC endpoint) with path-style access, and the credentials: static ones,
 * or the AWS SDK's default provider chain (environment, system properties, profile, container or
 * instance roles) when none are given.
 *
 * <p>{@link #toString()} never shows the secret key.
 *
 * @param endpoint null for AWS's own endpoint of the region
 * @param accessKey null (with {@code secretKey} null) for the default provider chain
 */
public record S3Settings(String bucket, String region, URI endpoint, boolean pathStyle, String accessKey,
                         String secretKey, Duration apiCallTimeout) {

    public S3Settings {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(region, "region");
        if (bucket.isBlank()) {
            throw new IllegalArgumentException("a bucket is required");
        }
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both an access key and a secret key, or neither (then the default "
                + "AWS credentials provider chain is used)");
        }
    }

    /** @return where the bucket is, for messages: no secret */
    public String describe() {
        return "s3://" + bucket + " (" + (endpoint == null ? "region " + region : endpoint + ", region " + region)
            + (accessKey == null ? ", default credentials" : ", access key " + accessKey) + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
