package io.github.requestmerge.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** Resident memory and CPU time of the stack's processes, from /proc (Linux). Stateless. */
final class Processes {

    private Processes() {
    }

    /** @return VmRSS in KiB, or -1 when the process is gone or /proc is not there */
    static long rssKib(long pid) {
        return status(pid, "VmRSS:");
    }

    /** @return VmHWM (the peak resident set since the process started) in KiB, or -1 */
    static long peakRssKib(long pid) {
        return status(pid, "VmHWM:");
    }

    /** @return CPU time (user + system) the process used so far, in milliseconds, or -1 */
    static long cpuMillis(long pid) {
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().totalCpuDuration()).map(Duration::toMillis)
            .orElse(-1L);
    }

    /** @return the three load averages of /proc/loadavg, or "?" */
    static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException | RuntimeException e) {
            return "?";
        }
    }

    /**
     * @return CPU time all processes of the machine used so far (busy time of every core, from the
     *     first line of /proc/stat, in clock ticks of 10 ms as on Linux with USER_HZ 100), or -1
     */
    static long machineBusyMillis() {
        try {
            String[] fields = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < fields.length && i <= 7; i++) {
                if (i != 4 && i != 5) { // user nice system irq softirq; not idle, iowait or steal
                    busy += Long.parseLong(fields[i]);
                }
            }
            return busy * 10;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** @return MemTotal of /proc/meminfo in KiB, or -1 */
    static long memTotalKib() {
        return field(Path.of("/proc/meminfo"), "MemTotal:");
    }

    private static long status(long pid, String key) {
        return field(Path.of("/proc", String.valueOf(pid), "status"), key);
    }

    private static long field(Path file, String key) {
        try {
            for (String line : Files.readAllLines(file)) {
                if (line.startsWith(key)) {
                    return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
