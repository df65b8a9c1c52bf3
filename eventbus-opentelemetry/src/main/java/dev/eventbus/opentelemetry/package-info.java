/**
 * OpenTelemetry tracing for the event bus: {@link dev.eventbus.opentelemetry.OpenTelemetryObserver}, an
 * {@link dev.eventbus.core.EventBusObserver} that makes a producer span per publish and a consumer span per handling
 * attempt, and carries W3C trace context in the envelope's {@code meta}. Span names and attributes are listed on the
 * class and in docs/observability.md.
 */
@NullMarked
package dev.eventbus.opentelemetry;

import org.jspecify.annotations.NullMarked;
