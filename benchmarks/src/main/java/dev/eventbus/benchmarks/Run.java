package dev.eventbus.benchmarks;

/**
 * One measured run of one side.
 *
 * @param endToEndRate messages per second from the first publish to the last message handled
 * @param publishRate  messages per second from the first publish to the last confirm
 * @param p50          latency percentiles in milliseconds (end to end, or the retry delay for the retry benchmark)
 * @param p95          95th percentile
 * @param p99          99th percentile
 * @param cpuPerMessage CPU time of this whole JVM (all threads) per message during the run, microseconds
 */
record Run(double endToEndRate, double publishRate, double p50, double p95, double p99, double cpuPerMessage) {

    /** CPU time used by this JVM so far (all threads), nanoseconds. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** Microseconds of CPU per message since {@code cpuAtStart}. */
    static double cpuPerMessage(long cpuAtStart, int count) {
        return (processCpuNanos() - cpuAtStart) / 1000.0 / count;
    }
}
