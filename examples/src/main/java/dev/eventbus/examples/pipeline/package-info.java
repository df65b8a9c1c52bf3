/**
 * The task pipeline of seed 000 on eventbus, four services that talk over the bus, each on its own exchange
 * {@code <organization>.<service>}: {@link dev.eventbus.examples.pipeline.Datagen} ({@code datagen}) creates objects
 * over HTTP and publishes {@link dev.eventbus.examples.pipeline.ObjectCreated}; the
 * {@link dev.eventbus.examples.pipeline.Distributor} ({@code distributor}) subscribes to them {@code from("datagen")}
 * and turns each into three {@link dev.eventbus.examples.pipeline.TaskCreated} commands; any number of
 * {@link dev.eventbus.examples.pipeline.Processor} instances ({@code processor}) compete for them on one queue,
 * subscribed {@code from("distributor")}, and publish {@link dev.eventbus.examples.pipeline.TaskStarted} and
 * {@link dev.eventbus.examples.pipeline.TaskFinished} (or {@link dev.eventbus.examples.pipeline.TaskFinishedV2});
 * {@link dev.eventbus.examples.pipeline.Statistics} ({@code statistics}) counts every message of the three with one
 * all-messages handler per service and measures task durations in an embedded database, served over HTTP.
 */
package dev.eventbus.examples.pipeline;
