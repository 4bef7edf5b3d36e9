package io.github.requestmerge.cli;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

import co.elastic.clients.elasticsearch.ElasticsearchClient;

import io.github.requestmerge.archive.ArchiveSource;
import io.github.requestmerge.archive.S3Clients;
import io.github.requestmerge.archive.S3Errors;
import io.github.requestmerge.elastic.ClusterProbe;
import io.github.requestmerge.elastic.Privileges;
import io.github.requestmerge.elastic.ElasticClients;
import io.github.requestmerge.elastic.ElasticDocumentStore;
import io.github.requestmerge.elastic.ElasticErrors;
import io.github.requestmerge.retry.Availability;
import io.github.requestmerge.retry.Retry;
import io.github.requestmerge.sink.RequestMergeSinkConfig;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The clients of a run, each checked before anything is read: S3 (can the bucket be listed with these
 * settings?) and Elasticsearch (does the cluster answer, and take the credentials?). A check that fails
 * is a {@link ConfigurationError} naming the file and the key to fix. Once checked, transient faults are
 * retried for up to the run's retry timeout ({@link Retry}: {@link S3Errors} and {@link ElasticErrors}
 * judge them).
 */
final class Connections implements AutoCloseable {

    final S3Client s3;
    final Retry s3Retry;
    final ElasticsearchClient elasticsearch;
    final Retry elasticRetry;
    final ElasticDocumentStore store;
    final ElasticAdmin admin;

    private Connections(S3Client s3, Retry s3Retry, ElasticsearchClient elasticsearch, Retry elasticRetry,
                        Duration readTimeout) {
        this.s3 = s3;
        this.s3Retry = s3Retry;
        this.elasticsearch = elasticsearch;
        this.elasticRetry = elasticRetry;
        this.store = new ElasticDocumentStore(elasticsearch, elasticRetry, readTimeout);
        this.admin = new ElasticAdmin(elasticsearch, elasticRetry);
    }

    static Connections open(Configuration config, Duration retryTimeout, Privileges required) {
        RequestMergeSinkConfig sink = config.sink;
        ElasticClients.Settings settings;
        try {
            settings = sink.clientSettings();
        } catch (IllegalArgumentException e) {
            throw new ConfigurationError(config.sinkFile, RequestMergeSinkConfig.CONNECTION_URLS, e.getMessage());
        }
        ClusterProbe.Problem problem = ClusterProbe.check(settings, required);
        if (problem != null) {
            throw new ConfigurationError(config.sinkFile, sink.keyAtFault(problem), problem.message());
        }
        ArchiveSource archive = config.archive;
        S3Client s3 = S3Clients.open(archive.s3());
        try {
            s3.listObjectsV2(l -> l.bucket(archive.s3().bucket()).prefix(archive.layout().root()).maxKeys(1));
        } catch (SdkException e) {
            s3.close();
            throw new ConfigurationError(config.archiveFile, s3Key(e, archive), "cannot list " + archive.s3().describe() + ": "
                + S3Errors.describe(e) + (S3Errors.remedy(e).isEmpty() ? "" : "; " + S3Errors.remedy(e)));
        }
        Retry s3Retry = retry(sink, retryTimeout, Availability.of("request-merge", "S3"), S3Errors.CLASSIFIER);
        Retry elasticRetry = retry(sink, retryTimeout, Availability.of("request-merge", "Elasticsearch"),
            ElasticErrors.CLASSIFIER);
        return new Connections(s3, s3Retry, ElasticClients.open(settings), elasticRetry, settings.effectiveReadTimeout());
    }

    private static String s3Key(SdkException e, ArchiveSource archive) {
        if (e instanceof S3Exception s3) {
            String code = s3.awsErrorDetails() == null || s3.awsErrorDetails().errorCode() == null ? ""
                : s3.awsErrorDetails().errorCode();
            if (code.equals("NoSuchBucket")) {
                return ArchiveSource.BUCKET;
            }
            if (code.equals("SignatureDoesNotMatch")) {
                // The key id is known; its secret is not the one that goes with it (as the connector's validation says).
                return io.github.requestmerge.archive.RawArchiveConfig.AWS_SECRET_ACCESS_KEY;
            }
            if (s3.statusCode() == 301 || code.equals("PermanentRedirect") || code.equals("AuthorizationHeaderMalformed")) {
                return ArchiveSource.REGION;
            }
            return ArchiveSource.ACCESS_KEY;
        }
        return archive.s3().endpoint() != null ? ArchiveSource.ENDPOINT : ArchiveSource.REGION;
    }

    private static Retry retry(RequestMergeSinkConfig sink, Duration timeout, Availability availability,
                               io.github.requestmerge.retry.Classifier classifier) {
        return new Retry(Duration.ofMillis(sink.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MS)),
            Duration.ofMillis(sink.getLong(RequestMergeSinkConfig.RETRY_BACKOFF_MAX_MS)), timeout, Retry.Jitter.EQUAL,
            Retry.Sleeper.THREAD_SLEEP, ThreadLocalRandom.current(), availability, classifier);
    }

    @Override
    public void close() {
        s3.close();
        ElasticClients.close(elasticsearch);
    }
}
