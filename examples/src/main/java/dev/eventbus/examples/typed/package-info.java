/**
 * The pipeline's events as typed contracts: JSON Schemas checked on publish and consume
 * ({@link dev.eventbus.examples.typed.PipelineSchemas}), two versions of {@code task.finished} in flight at once, and
 * dead letters reprocessed on demand over HTTP ({@link dev.eventbus.examples.typed.DeadLetterDesk}).
 */
package dev.eventbus.examples.typed;
