package io.github.requestmerge.archive;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds the {@link S3Client} the archive connector and the tools use, from {@link S3Settings}. The
 * SDK's own retries are kept for quick blips (throttling, 5xx, resets); longer outages are the
 * caller's {@code Retry}'s, which waits for as long as they last.
 */
public final class S3Clients {

    private S3Clients() {
    }

    /** @return a client for the settings; close it when done */
    public static S3Client open(S3Settings settings) {
        AwsCredentialsProvider credentials = settings.accessKey() == null
            ? DefaultCredentialsProvider.builder().build()
            : StaticCredentialsProvider.create(AwsBasicCredentials.create(settings.accessKey(), settings.secretKey()));
        S3ClientBuilder builder = S3Client.builder()
            .region(Region.of(settings.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(settings.pathStyle());
        if (settings.endpoint() != null) {
            builder.endpointOverride(settings.endpoint());
        }
        if (settings.apiCallTimeout() != null) {
            builder.overrideConfiguration(ClientOverrideConfiguration.builder()
                .apiCallAttemptTimeout(settings.apiCallTimeout()).build());
        }
        return builder.build();
    }
}
