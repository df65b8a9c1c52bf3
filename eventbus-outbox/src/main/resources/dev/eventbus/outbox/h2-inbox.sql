-- eventbus inbox table, H2. ${table} and ${received_index} are replaced by Inbox.schemaScript.
-- One row per (handler, message id) handled; rows older than the inbox's retention are purged.
CREATE TABLE IF NOT EXISTS ${table} (
    handler_name VARCHAR(255)             NOT NULL,
    message_id   VARCHAR(36)              NOT NULL,
    received_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (handler_name, message_id)
);
-- the purge of expired records
CREATE INDEX IF NOT EXISTS ${received_index} ON ${table} (received_at);
