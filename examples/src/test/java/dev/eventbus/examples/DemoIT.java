package dev.eventbus.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import org.junit.jupiter.api.Test;

/** The README's first command, against the local broker: greeted, retried and dead-lettered as described. */
@RabbitMqTest
class DemoIT {

    @Test
    void theDemoEndsWithThreeUsersGreetedTwoDeadLettersAndEverythingStored(TestBroker broker) throws InterruptedException {
        // a vhost of its own: the demo declares the vhost-wide store queues
        TestBroker own = broker.withOwnVirtualHost();
        assertTrue(Demo.run(RabbitMqConnectionSettings.fromUri(own.uri())), "the demo's summary (printed above) is not the expected one");
    }
}
