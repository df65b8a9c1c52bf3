package dev.eventbus.benchmarks;

/**
 * One measured run of one side.
 *
 * @param endToEndRate messages per second from the first publish to the last message handled
 * @param publishRate  messages per second from the first publish to the last confirm
 * @param p50          latency percentiles in milliseconds (end to end, or the retry delay for the retry benchmark)
 * @param p95          95th percentile
 * @param p99          99th percentile
 */
record Run(double endToEndRate, double publishRate, double p50, double p95, double p99) {
}
