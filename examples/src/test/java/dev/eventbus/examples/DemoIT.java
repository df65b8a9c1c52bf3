package dev.eventbus.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.testkit.RabbitMqTest;
import org.junit.jupiter.api.Test;

/** The README's first command, against the local broker: greeted, retried and dead-lettered as described. */
@RabbitMqTest
class DemoIT {

    @Test
    void theDemoEndsWithThreeUsersGreetedTwoDeadLettersAndEverythingStored() throws InterruptedException {
        assertTrue(Demo.run(), "the demo's summary (printed above) is not the expected one");
    }
}
