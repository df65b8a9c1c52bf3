/**
 * The transport-neutral pipelines every bus runs: {@link dev.eventbus.core.pipeline.PublishPipeline} (check, validate,
 * encode, name the route) and {@link dev.eventbus.core.pipeline.DeliveryPipeline} (decode, validate, handle, classify
 * into an {@link dev.eventbus.core.pipeline.Outcome}). A service provider interface for bus implementations: users of a
 * bus never need it, implementers of one run the testkit's contract suite against it.
 */
@NullMarked
package dev.eventbus.core.pipeline;

import org.jspecify.annotations.NullMarked;
