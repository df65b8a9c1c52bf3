/**
 * The task pipeline of seed 000 on eventbus: {@link dev.eventbus.examples.pipeline.Datagen} creates objects over
 * HTTP and publishes {@link dev.eventbus.examples.pipeline.ObjectCreated}; the
 * {@link dev.eventbus.examples.pipeline.Distributor} turns each into three
 * {@link dev.eventbus.examples.pipeline.TaskCreated} commands; any number of
 * {@link dev.eventbus.examples.pipeline.Processor} instances compete for them on one queue and publish
 * {@link dev.eventbus.examples.pipeline.TaskStarted} and {@link dev.eventbus.examples.pipeline.TaskFinished} (or
 * {@link dev.eventbus.examples.pipeline.TaskFinishedV2}); {@link dev.eventbus.examples.pipeline.Statistics} counts
 * every message and measures task durations in an embedded database, served over HTTP. All of them are one logical
 * service on the broker, {@code <organization>.pipeline}: examples/README.md says why.
 */
package dev.eventbus.examples.pipeline;
