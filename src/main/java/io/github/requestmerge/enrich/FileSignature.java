package io.github.requestmerge.enrich;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What identifies one version of a file (following symbolic links): its identity on the file
 * system (device and inode where the platform has them), size and modification time. Replacing a
 * file, by rename or by rewriting it, changes at least one of them. Immutable.
 */
final class FileSignature {
    private final Object fileKey;
    private final long size;
    private final long modifiedMillis;

    private FileSignature(Object fileKey, long size, long modifiedMillis) {
        this.fileKey = fileKey;
        this.size = size;
        this.modifiedMillis = modifiedMillis;
    }

    static FileSignature of(Path path) throws IOException {
        BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        return new FileSignature(attributes.fileKey(), attributes.size(), attributes.lastModifiedTime().toMillis());
    }

    /** @return whether the file at {@code path} is still this version (false when it is gone or unreadable) */
    boolean matches(Path path) {
        try {
            return equals(of(path));
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public boolean equals(Object other) {
        if (!(other instanceof FileSignature)) {
            return false;
        }
        FileSignature that = (FileSignature) other;
        return size == that.size && modifiedMillis == that.modifiedMillis && Objects.equals(fileKey, that.fileKey);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fileKey, size, modifiedMillis);
    }
}
