package io.github.requestmerge.merge;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Heap retained per cached request: builds a cache ({@code HashMap} of id to state, as the task's
 * cache holds them) of N requests, each from a full first event and a few deltas of
 * {@link RequestEvents}, and reports the used heap after full collections, minus the heap before,
 * divided by N. Each event is made, merged and dropped, so only the cache (and what the string pool
 * keeps) is measured. Once without string pooling and once with a pool like the shared one, so the
 * effect of pooling shows. Run by {@code bin/bench-merge}; arguments: {@code [ids] [deltas-per-id]}.
 */
public final class MergeFootprint {

    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private MergeFootprint() {
    }

    public static void main(String[] args) throws Exception {
        int ids = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int deltas = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        System.out.printf(Locale.ROOT, "%s %s, %s%n", System.getProperty("java.vm.name"),
            System.getProperty("java.version"), ManagementFactory.getRuntimeMXBean().getInputArguments());
        System.out.printf(Locale.ROOT, "%,d requests, each a full first event and %d deltas%n", ids, deltas);
        // The same configuration as StringPool.shared(), but fresh, so each run starts with an empty pool.
        measure("no pooling (StringPool.none())", StringPool.none(), ids, deltas);
        measure("pooled (as StringPool.shared())", new StringPool(200_000, 512), ids, deltas);
    }

    private static void measure(String label, StringPool pool, int ids, int deltas) throws Exception {
        RequestEvents events = new RequestEvents(42L);
        Merger merger = new Merger(MergeRules.defaults(), pool);
        Map<String, MergedState> cache = new HashMap<>(ids * 4 / 3 + 1);
        long before = usedAfterGc();
        long estimated = 0;
        long offset = 0;
        long time = MergeBenchmark.T0;
        for (int i = 0; i < ids; i++) {
            String source = MergeBenchmark.SOURCES[i % MergeBenchmark.SOURCES.length];
            Map<String, Object> first = events.first(events.newId());
            String id = (String) first.get("id");
            MergedState state = new MergedState();
            merger.apply(state, new Event(id, first, time, source, offset++));
            for (int d = 0; d < deltas; d++) {
                merger.apply(state, new Event(id, events.delta(id), time + 1000L * (d + 1), source, offset++));
            }
            state.trim();
            cache.put(id, state);
            time += 10;
        }
        long after = usedAfterGc();
        for (MergedState state : cache.values()) {
            estimated += state.estimatedBytes();
        }
        long perId = (after - before) / ids;
        System.out.printf(Locale.ROOT, "%-34s %,6d bytes per cached id (heap %,d MB; estimatedBytes() says %,d)%n",
            label, perId, (after - before) >> 20, estimated / ids);
        if (cache.size() != ids) {
            throw new IllegalStateException("ids collided");
        }
    }

    private static long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
