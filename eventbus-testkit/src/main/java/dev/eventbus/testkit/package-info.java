/**
 * Test support for eventbus users: a JUnit 5 extension that gives each test a RabbitMQ broker with its
 * own names ({@link dev.eventbus.testkit.RabbitMqTest}, {@link dev.eventbus.testkit.TestBroker}), a
 * {@code rabbitmqctl} client to inspect and disturb the broker ({@link dev.eventbus.testkit.RabbitMqCtl},
 * {@link dev.eventbus.testkit.Faults}), deadline-based waits ({@link dev.eventbus.testkit.Await}), an
 * in-memory {@link dev.eventbus.testkit.RecordingEventBus} for unit tests without a broker, and nodes and clusters a
 * test starts, kills and restarts ({@link dev.eventbus.testkit.LocalNode}, {@link dev.eventbus.testkit.RabbitMqCluster}:
 * {@link dev.eventbus.testkit.LocalCluster}, {@link dev.eventbus.testkit.ContainerCluster}).
 *
 * <p>Package-private classes here are not API.
 */
@NullMarked
package dev.eventbus.testkit;

import org.jspecify.annotations.NullMarked;
