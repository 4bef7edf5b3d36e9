package io.github.requestmerge.enrich;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.common.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.maxmind.db.CHMCache;
import com.maxmind.db.Reader;
import com.maxmind.geoip2.DatabaseReader;

/**
 * A MaxMind database file that is reloaded when it is replaced on disk.
 *
 * <p>A shared daemon thread checks the file's size, modification time and identity every
 * reload interval. When they change it opens the new file and swaps it in atomically; lookups
 * already running keep using the reader they started with. The replaced reader is deliberately
 * not closed: closing a memory-mapped MaxMind reader makes in-flight lookups fail, and the mapping
 * is released by the garbage collector once no lookup holds it. A replacement that cannot be
 * opened (corrupt, truncated, wrong database type) keeps the current reader and is logged once.
 *
 * <p>Thread-safety: {@link #reader()} may be called from any thread; the reload runs on the
 * shared reload thread (or on the caller of {@link #checkForUpdate()} in tests).
 */
final class GeoDatabase implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(GeoDatabase.class);

    private static final Object SCHEDULER_LOCK = new Object();
    private static ScheduledExecutorService scheduler;
    private static int schedulerUsers;

    private final Path path;
    private final String configKey;
    private final Kind kind;
    private final List<String> locales;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile DatabaseReader reader;
    private volatile FileSignature loaded;
    private volatile FileSignature lastFailed;
    private ScheduledFuture<?> reloadTask;

    /** The database kinds the transform reads. */
    enum Kind {
        /** GeoIP2/GeoLite2 City or Country: geo names and location. */
        LOCATION,
        /** GeoIP2/GeoLite2 ASN: autonomous system number and organization. */
        ASN;

        String accepts(String databaseType) {
            if (this == ASN) {
                return databaseType.contains("ASN") ? null : "an ASN database";
            }
            return databaseType.contains("City") || databaseType.contains("Country") ? null : "a City or Country database";
        }
    }

    private GeoDatabase(Path path, String configKey, Kind kind, List<String> locales) {
        this.path = path;
        this.configKey = configKey;
        this.kind = kind;
        this.locales = locales;
    }

    /**
     * Opens the database and, when {@code reloadIntervalMs > 0}, starts watching the file.
     *
     * @throws ConfigException naming {@code configKey} and the path when the file is missing,
     *     unreadable, not a MaxMind database or of the wrong kind
     */
    static GeoDatabase open(Path path, String configKey, Kind kind, List<String> locales, long reloadIntervalMs) {
        GeoDatabase database = new GeoDatabase(path, configKey, kind, locales);
        FileSignature signature;
        try {
            signature = FileSignature.of(path);
            database.reader = database.openReader();
        } catch (NoSuchFileException e) {
            throw new ConfigException(configKey, path.toString(), "no such file");
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(configKey, path.toString(), "cannot open as a MaxMind database: " + e.getMessage());
        }
        database.loaded = signature;
        if (reloadIntervalMs > 0) {
            database.reloadTask = acquireScheduler().scheduleWithFixedDelay(
                database::checkForUpdateSafely, reloadIntervalMs, reloadIntervalMs, TimeUnit.MILLISECONDS);
        }
        return database;
    }

    /** @return the reader to use for one lookup; never null while open */
    DatabaseReader reader() {
        return reader;
    }

    /** @return a number that changes every time a new file is swapped in (cached results of older ones are stale) */
    long generation() {
        return generation.get();
    }

    long reloadFailures() {
        return reloadFailures.get();
    }

    String databaseType() {
        return reader.getMetadata().getDatabaseType();
    }

    /**
     * Reloads the file if it changed since it was last loaded (or last failed to load).
     *
     * @return true when a new database was swapped in
     */
    boolean checkForUpdate() {
        FileSignature current;
        try {
            current = FileSignature.of(path);
        } catch (IOException e) {
            // Between the unlink and the rename of a replacement; the next check sees the new file.
            return false;
        }
        if (current.equals(loaded) || current.equals(lastFailed)) {
            return false;
        }
        DatabaseReader replacement;
        try {
            replacement = openReader();
        } catch (IOException | RuntimeException e) {
            lastFailed = current;
            reloadFailures.incrementAndGet();
            log.error("{}: the replaced file {} cannot be used ({}: {}); lookups keep using the previously loaded "
                + "database until the file is replaced again", configKey, path, e.getClass().getSimpleName(), e.getMessage());
            return false;
        }
        reader = replacement;
        loaded = current;
        lastFailed = null;
        generation.incrementAndGet();
        log.info("{}: reloaded {} (type {}, built {})", configKey, path,
            replacement.getMetadata().getDatabaseType(), replacement.getMetadata().getBuildDate().toInstant());
        return true;
    }

    private void checkForUpdateSafely() {
        try {
            checkForUpdate();
        } catch (RuntimeException e) {
            // A periodic task that throws is silently cancelled; keep watching instead.
            log.error("{}: checking {} for a new database failed", configKey, path, e);
        }
    }

    private DatabaseReader openReader() throws IOException {
        DatabaseReader opened = new DatabaseReader.Builder(path.toFile())
            .fileMode(Reader.FileMode.MEMORY_MAPPED)
            .withCache(new CHMCache())
            .locales(locales)
            .build();
        String type = opened.getMetadata().getDatabaseType();
        String expected = kind.accepts(type);
        if (expected != null) {
            opened.close();
            throw new IOException("database type is " + type + ", expected " + expected);
        }
        return opened;
    }

    @Override
    public void close() {
        if (reloadTask != null) {
            reloadTask.cancel(false);
            reloadTask = null;
            releaseScheduler();
        }
        DatabaseReader current = reader;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                log.warn("{}: closing {} failed", configKey, path, e);
            }
        }
    }

    private static ScheduledExecutorService acquireScheduler() {
        synchronized (SCHEDULER_LOCK) {
            if (scheduler == null) {
                scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
                    Thread thread = new Thread(runnable, "request-merge-geoip-reload");
                    thread.setDaemon(true);
                    return thread;
                });
            }
            schedulerUsers++;
            return scheduler;
        }
    }

    private static void releaseScheduler() {
        synchronized (SCHEDULER_LOCK) {
            if (--schedulerUsers == 0) {
                scheduler.shutdownNow();
                scheduler = null;
            }
        }
    }

    /** What identifies one version of the file: replacing it (rename or rewrite) changes at least one part. */
    private static final class FileSignature {
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
}
