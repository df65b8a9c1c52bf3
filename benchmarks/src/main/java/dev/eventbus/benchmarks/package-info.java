/**
 * Benchmarks of eventbus against the raw amqp-client with the same shape (broker, exchange type, durability,
 * persistence, message size, confirms in flight, prefetch, ack mode), and JMH micro-benchmarks of the codec,
 * names and schema validation. Not API and not published: run with {@code java -jar benchmarks/target/benchmarks.jar}
 * (see {@code docs/benchmarks.md}).
 */
package dev.eventbus.benchmarks;
