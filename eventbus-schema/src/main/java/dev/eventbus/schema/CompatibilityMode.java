package dev.eventbus.schema;

/**
 * How a new version of a schema must relate to the previous one, as schema registries (Confluent,
 * Apicurio) define the modes. "Reading" data means the data passes the reader's schema.
 */
public enum CompatibilityMode {

    /** Consumers using the new schema can read data written with the old one (upgrade consumers first). */
    BACKWARD,

    /** Consumers using the old schema can read data written with the new one (upgrade producers first). */
    FORWARD,

    /** Both {@link #BACKWARD} and {@link #FORWARD}: producers and consumers upgrade in any order. */
    FULL
}
