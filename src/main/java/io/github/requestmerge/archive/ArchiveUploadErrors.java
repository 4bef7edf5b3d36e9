package io.github.requestmerge.archive;

import io.github.requestmerge.retry.Classifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * {@link S3Errors} as the archive sink's uploads need it, for {@code retry.Retry}: S3Errors decides, with
 * a few outcomes only conditional writes and cancelled uploads have: a 501 (the store does not
 * implement conditional writes) is not, and says which settings to change; an upload cancelled because
 * its partition was closed is not retried. Stateless and thread-safe.
 */
final class ArchiveUploadErrors implements Classifier {

    static final ArchiveUploadErrors CLASSIFIER = new ArchiveUploadErrors();

    /** Thrown inside a retried call whose partition was closed meanwhile: stop retrying, drop the upload. */
    static final class Cancelled extends RuntimeException {
        Cancelled() {
            super("cancelled: the partition was closed", null, false, false);
        }
    }

    private ArchiveUploadErrors() {
    }

    @Override
    public String service() {
        return "S3";
    }

    @Override
    public boolean isTransient(Throwable error) {
        if (error instanceof Cancelled || error instanceof IllegalStateException || notImplemented(error)
            || ArchiveWriteStore.isNoSuchUpload(error)) {
            return false;
        }
        return S3Errors.isTransient(error);
    }

    @Override
    public String describe(Throwable error) {
        return error instanceof Cancelled || error instanceof IllegalStateException ? error.getMessage()
            : S3Errors.describe(error);
    }

    @Override
    public String remedy(Throwable error) {
        if (notImplemented(error)) {
            return "the store does not implement conditional writes: set " + RawArchiveConfig.S3_CONDITIONAL_WRITES
                + "=false and " + RawArchiveConfig.ROTATE_SCHEDULE_INTERVAL_MS + "=-1";
        }
        return error instanceof IllegalStateException ? "" : S3Errors.remedy(error);
    }

    private static boolean notImplemented(Throwable error) {
        return error instanceof S3Exception s3 && s3.statusCode() == 501;
    }
}
