/**
 * JSON Schema contracts for eventbus messages: one schema per message name and version, kept as a
 * resource ({@code eventbus/schemas/<name>/<version>.json}) and describing the message's
 * {@code attributes} object as it travels on the wire (snake_case field names).
 *
 * <ul>
 *   <li>{@link dev.eventbus.schema.SchemaRegistry} loads and compiles the schemas once;</li>
 *   <li>{@link dev.eventbus.schema.JsonSchemaValidator} is the {@link dev.eventbus.core.MessageValidator}
 *       buses call on publish and on consume;</li>
 *   <li>{@link dev.eventbus.schema.SchemaCompatibility} checks successive versions under a
 *       {@link dev.eventbus.schema.CompatibilityMode}, also as the {@link dev.eventbus.schema.CompatibilityCheck}
 *       command;</li>
 *   <li>{@link dev.eventbus.schema.SchemaGenerator} writes a first schema from a Java type, also as the
 *       {@link dev.eventbus.schema.GenerateSchema} command.</li>
 * </ul>
 *
 * <p>Classes that are not public are internals and not API. Validation is done by everit-json-schema
 * (draft-07); see {@code docs/schemas.md} for the layout, the rules and the errors.
 */
@NullMarked
package dev.eventbus.schema;

import org.jspecify.annotations.NullMarked;
