package dev.eventbus.schema;

/** What {@link JsonSchemaValidator} does with a message whose name and version have no schema. */
public enum MissingSchemaPolicy {

    /**
     * The message is invalid: publishing it throws, consuming it dead-letters it. The safe default: a
     * message type without a contract is usually a forgotten file.
     */
    REJECT,

    /**
     * The message passes unvalidated, and one WARN is logged per message name and version (not per
     * message). For adopting schemas one message type at a time.
     */
    ALLOW_AND_LOG_ONCE
}
