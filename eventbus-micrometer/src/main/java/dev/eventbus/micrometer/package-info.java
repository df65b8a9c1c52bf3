/**
 * Micrometer metrics for the event bus: {@link dev.eventbus.micrometer.MicrometerObserver}, an
 * {@link dev.eventbus.core.EventBusObserver} that records publishes, confirms, deliveries, handler durations, handler
 * states and connection events in a {@link io.micrometer.core.instrument.MeterRegistry}. Meter names and tags are listed
 * on the class and in docs/observability.md.
 */
@NullMarked
package dev.eventbus.micrometer;

import org.jspecify.annotations.NullMarked;
