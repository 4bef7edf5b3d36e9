package io.github.requestmerge.archive;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The archive sink's calls to its bucket, each made once (the uploader retries them through
 * {@code retry.Retry}): whether an object exists and where it ends, conditional PutObject, and the
 * multipart upload calls. Every object carries user metadata saying what it holds, so that a later
 * owner of the partition learns its extent from a HEAD request.
 *
 * <p>Thread-safe (the S3 client is).
 */
final class ArchiveWriteStore {

    /** User metadata (x-amz-meta-...) on every object: the offset of its first record. */
    static final String FIRST_OFFSET = "first-offset";
    /** On objects written in one PutObject: the offset of the last record (a multipart upload is created before it is known). */
    static final String LAST_OFFSET = "last-offset";
    /** On objects written in one PutObject: how many records it holds. */
    static final String RECORD_COUNT = "record-count";
    /** On every object: the line format, for readers. */
    static final String FORMAT = "format";
    static final String FORMAT_VALUE = "request-merge-raw-record-v1";

    private final S3Client client;
    private final String bucket;
    private final boolean conditional;

    /**
     * @param conditional whether objects are created with If-None-Match: * (never replaced once written)
     */
    ArchiveWriteStore(S3Client client, String bucket, boolean conditional) {
        this.client = client;
        this.bucket = bucket;
        this.conditional = conditional;
    }

    /** What a HEAD request found: the last offset of an existing object, from its metadata or its content. */
    record Existing(long lastOffset, long records) {
    }

    /**
     * @return the extent of the object at {@code key}, or null when there is none
     * @throws IllegalStateException when the object is not one of this connector's (no metadata, and
     *     lines that are not raw records)
     */
    Existing existing(String key) {
        HeadObjectResponse head;
        try {
            head = client.headObject(h -> h.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return null;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return null;
            }
            throw e;
        }
        String last = head.metadata().get(LAST_OFFSET);
        if (last != null) {
            String count = head.metadata().get(RECORD_COUNT);
            return new Existing(Long.parseLong(last), count == null ? -1 : Long.parseLong(count));
        }
        return read(key);
    }

    /** Finds an object's last offset by reading it (objects from a multipart upload have no last-offset metadata). */
    private Existing read(String key) {
        long lastOffset = -1;
        long records = 0;
        try (ResponseInputStream<GetObjectResponse> object = client.getObject(g -> g.bucket(bucket).key(key));
             InputStream gunzip = new GZIPInputStream(object, 64 * 1024);
             BufferedReader lines = new BufferedReader(new InputStreamReader(gunzip, StandardCharsets.UTF_8), 64 * 1024)) {
            String line;
            String lastLine = null;
            while ((line = lines.readLine()) != null) {
                if (!line.isBlank()) {
                    lastLine = line;
                    records++;
                }
            }
            if (lastLine != null) {
                byte[] bytes = lastLine.getBytes(StandardCharsets.UTF_8);
                lastOffset = RawRecordCodec.read(bytes, 0, bytes.length).offset();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + key, e);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the object " + key + " is not one this connector wrote (" + e.getMessage()
                + "); is " + RawArchiveConfig.TOPICS_DIR + " shared with another connector?", e);
        }
        if (lastOffset < 0) {
            throw new IllegalStateException("the object " + key + " holds no records; remove it");
        }
        return new Existing(lastOffset, records);
    }

    /**
     * Writes a whole object in one request.
     *
     * @return false when an object with that key exists already and conditional writes are on
     */
    boolean put(ObjectUpload object, byte[] bytes) {
        Map<String, String> metadata = metadata(object);
        metadata.put(LAST_OFFSET, Long.toString(object.lastOffset()));
        metadata.put(RECORD_COUNT, Integer.toString(object.records()));
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(object.key)
            .contentType("application/gzip").metadata(metadata);
        if (conditional) {
            request.ifNoneMatch("*");
        }
        try {
            client.putObject(request.build(), RequestBody.fromBytes(bytes));
            return true;
        } catch (S3Exception e) {
            if (conditional && e.statusCode() == 412) {
                return false;
            }
            throw e;
        }
    }

    /** @return the id of a new multipart upload for the object */
    String createMultipart(ObjectUpload object) {
        return client.createMultipartUpload(CreateMultipartUploadRequest.builder().bucket(bucket).key(object.key)
            .contentType("application/gzip").metadata(metadata(object)).build()).uploadId();
    }

    /** @return the part's ETag */
    String uploadPart(ObjectUpload object, int number, byte[] bytes) {
        return client.uploadPart(u -> u.bucket(bucket).key(object.key).uploadId(object.uploadId()).partNumber(number),
            RequestBody.fromBytes(bytes)).eTag();
    }

    /** @return false when an object with that key exists already and conditional writes are on */
    boolean complete(ObjectUpload object, List<CompletedPart> parts) {
        CompleteMultipartUploadRequest.Builder request = CompleteMultipartUploadRequest.builder().bucket(bucket)
            .key(object.key).uploadId(object.uploadId()).multipartUpload(m -> m.parts(parts));
        if (conditional) {
            request.ifNoneMatch("*");
        }
        try {
            client.completeMultipartUpload(request.build());
            return true;
        } catch (S3Exception e) {
            if (conditional && e.statusCode() == 412) {
                return false;
            }
            throw e;
        }
    }

    void abort(String key, String uploadId) {
        client.abortMultipartUpload(a -> a.bucket(bucket).key(key).uploadId(uploadId));
    }

    /** @return whether S3 says the multipart upload is gone (completed, aborted or expired) */
    static boolean isNoSuchUpload(Throwable error) {
        return error instanceof S3Exception s3 && s3.statusCode() == 404 && s3.awsErrorDetails() != null
            && "NoSuchUpload".equals(s3.awsErrorDetails().errorCode());
    }

    private static Map<String, String> metadata(ObjectUpload object) {
        Map<String, String> metadata = new HashMap<>();
        metadata.put(FIRST_OFFSET, Long.toString(object.firstOffset));
        metadata.put(FORMAT, FORMAT_VALUE);
        return metadata;
    }
}
