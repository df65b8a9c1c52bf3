/**
 * The contract every {@link dev.eventbus.core.EventBus} keeps, as a JUnit 5 suite: extend
 * {@link dev.eventbus.testkit.contract.EventBusContract} with the {@link dev.eventbus.testkit.contract.ContractBuses} of a
 * bus implementation (this package has those of the in-memory and RabbitMQ buses) to run every scenario against it.
 */
@NullMarked
package dev.eventbus.testkit.contract;

import org.jspecify.annotations.NullMarked;
