package io.github.requestmerge.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The S3 server is real: the AWS SDK creates a bucket, puts, lists and gets objects. */
@ExtendWith(Stack.class)
class S3SmokeIT {

    @Test
    void objectsArePutListedAndRead() {
        S3Server s3 = Stack.s3();
        try (S3Client client = S3Client.builder()
            .endpointOverride(URI.create(s3.endpoint()))
            .region(Region.of(s3.region()))
            .forcePathStyle(true)
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .build()) {
            assertEquals(List.of(s3.bucket()), client.listBuckets().buckets().stream().map(b -> b.name())
                .collect(Collectors.toList()), "the server starts with its bucket");
            client.createBucket(b -> b.bucket("archive"));
            client.putObject(p -> p.bucket("archive").key("topics/requests/partition=0/requests+0+0000000000.json"),
                RequestBody.fromString("{\"id\":\"abc123\",\"clicks\":\"+1\"}\n"));
            client.putObject(p -> p.bucket("archive").key("topics/requests/partition=1/requests+1+0000000000.json"),
                RequestBody.fromString("{\"id\":\"def456\"}\n"));

            List<String> keys = client.listObjectsV2(l -> l.bucket("archive").prefix("topics/requests/")).contents()
                .stream().map(S3Object::key).sorted().collect(Collectors.toList());
            assertEquals(List.of("topics/requests/partition=0/requests+0+0000000000.json",
                "topics/requests/partition=1/requests+1+0000000000.json"), keys);
            assertEquals("{\"id\":\"abc123\",\"clicks\":\"+1\"}\n", client.getObjectAsBytes(g -> g.bucket("archive")
                .key("topics/requests/partition=0/requests+0+0000000000.json")).asUtf8String());
        }
    }
}
