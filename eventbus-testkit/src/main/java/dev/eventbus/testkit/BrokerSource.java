package dev.eventbus.testkit;

/**
 * Where the broker of a test run comes from, in the order the testkit tries them.
 */
public enum BrokerSource {
    /** The broker named by the {@code EVENTBUS_RABBITMQ_URL} environment variable or the {@code eventbus.rabbitmq.url} system property. */
    ENVIRONMENT,
    /** A broker already listening on {@code localhost:5672}, reached as guest/guest on the default vhost. */
    LOCALHOST,
    /** A {@code rabbitmq:3.13-management} container started with Testcontainers for this JVM. */
    TESTCONTAINERS
}
