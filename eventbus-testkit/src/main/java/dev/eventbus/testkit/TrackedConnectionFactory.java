package dev.eventbus.testkit;

import com.rabbitmq.client.AddressResolver;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A connection factory that hands every connection it opens to its {@link TestBroker}, which closes it after the
 * test and deletes the queues and exchanges declared through it (amqp-client records them for recovery). Every
 * {@code newConnection} overload ends in the one overridden here. As thread-safe as {@link ConnectionFactory}.
 */
final class TrackedConnectionFactory extends ConnectionFactory {

    private final transient Consumer<Connection> opened;

    TrackedConnectionFactory(Consumer<Connection> opened) {
        this.opened = Objects.requireNonNull(opened, "opened");
    }

    @Override
    public Connection newConnection(ExecutorService executor, AddressResolver addressResolver, String clientProvidedName)
            throws IOException, TimeoutException {
        Connection connection = super.newConnection(executor, addressResolver, clientProvidedName);
        opened.accept(connection);
        return connection;
    }
}
