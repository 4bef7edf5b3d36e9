package io.github.requestmerge.enrich;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
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
 * <p>One instance per worker is shared by every transform instance that configures the same path,
 * kind, locales and reload interval ({@link #acquire}); see {@link Shared}. With reloading on, a
 * replaced file is swapped in for all of them (and checked for when another instance acquires it).
 * With reloading off, an instance configured after the file was replaced gets a new reader of the
 * new file, while the instances that hold the old one keep it until they close.
 *
 * <p>Thread-safety: {@link #reader()} may be called from any thread; the reload runs on the
 * shared reload thread, on an acquirer's thread, or on the caller of {@link #checkForUpdate()} in
 * tests, one at a time.
 */
final class GeoDatabase implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(GeoDatabase.class);

    /**
     * The databases open in this worker (one plugin class loader; see {@link Shared}). Keyed by the
     * configured path, made absolute, rather than by the file it resolves to: reloading watches
     * that path, so a symbolic link pointed at a new file (as a Kubernetes volume update does) is
     * noticed. Two spellings of one file therefore get two readers, a cost only in that unusual setup.
     */
    private static final Shared<Key, GeoDatabase> SHARED =
        new Shared<>(GeoDatabase::open, GeoDatabase::isShareable, GeoDatabase::close);

    private static final Object SCHEDULER_LOCK = new Object();
    private static ScheduledExecutorService scheduler;
    private static int schedulerUsers;

    private final Path path;
    private final String configKey;
    private final Kind kind;
    private final List<String> locales;
    private final boolean reloading;
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong reloadFailures = new AtomicLong();
    private volatile DatabaseReader reader;
    private volatile FileSignature loaded;
    private volatile FileSignature lastFailed;
    private ScheduledFuture<?> reloadTask;
    private boolean closed;

    /** What makes two configured databases interchangeable. */
    record Key(Path path, Kind kind, List<String> locales, long reloadIntervalMs) {
        Key {
            path = path.toAbsolutePath().normalize();
            locales = List.copyOf(locales);
        }

        String configKey() {
            return kind == Kind.ASN ? EnrichConfig.GEOIP_ASN_DATABASE_PATH : EnrichConfig.GEOIP_DATABASE_PATH;
        }
    }

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

    private GeoDatabase(Path path, String configKey, Kind kind, List<String> locales, boolean reloading) {
        this.path = path;
        this.reloading = reloading;
        this.configKey = configKey;
        this.kind = kind;
        this.locales = locales;
    }

    /**
     * @return a lease on the worker's database for this key, opened (and, when the key's reload
     *     interval is positive, watched) if no current one is open; close it when done
     * @throws ConfigException naming the key's config key and the path when the file is missing,
     *     unreadable, not a MaxMind database or of the wrong kind
     */
    static Shared.Lease<GeoDatabase> acquire(Key key) {
        return SHARED.acquire(key);
    }

    static Shared<Key, GeoDatabase> shared() {
        return SHARED;
    }

    private static GeoDatabase open(Key key) {
        Path path = key.path();
        String configKey = key.configKey();
        long reloadIntervalMs = key.reloadIntervalMs();
        GeoDatabase database = new GeoDatabase(path, configKey, key.kind(), key.locales(), reloadIntervalMs > 0);
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

    /**
     * Whether a new acquirer may share this database: with reloading on always (after checking
     * the file now, so it gets the newest one); with reloading off while the file is unchanged.
     */
    boolean isShareable() {
        if (reloading) {
            checkForUpdate();
            return true;
        }
        return loaded.matches(path);
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
    synchronized boolean checkForUpdate() {
        if (closed) {
            return false;
        }
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

    /** Closes the reader; called once, by the last lease's release. */
    @Override
    public synchronized void close() {
        closed = true;
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
}
