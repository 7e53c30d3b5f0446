package dev.webhooksv3.bulkexport.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.util.List;

/** Peak heap use between a {@link #reset()} and a {@link #megabytes()}: the sum of the heap pools' peaks. */
final class HeapPeak {

    private HeapPeak() {
    }

    private static List<MemoryPoolMXBean> heapPools() {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(pool -> pool.getType() == MemoryType.HEAP)
                .toList();
    }

    /** Collects garbage, then starts measuring afresh. */
    static void reset() {
        System.gc();
        heapPools().forEach(MemoryPoolMXBean::resetPeakUsage);
    }

    /** The sum of every heap pool's peak since {@link #reset()}, in MB (an upper bound: pools peak at different times). */
    static double megabytes() {
        return heapPools().stream().mapToLong(pool -> pool.getPeakUsage().getUsed()).sum() / 1e6;
    }
}
