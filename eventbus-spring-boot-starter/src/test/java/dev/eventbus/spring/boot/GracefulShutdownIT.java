package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * Closing the application context lets a handler that is running finish: the close waits for it, its message is
 * acknowledged (not back in the queue), and what it publishes while the context closes is published.
 */
@RabbitMqTest
class GracefulShutdownIT {

    static final CountDownLatch STARTED = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);
    static final List<String> FINISHED = new CopyOnWriteArrayList<>();

    /** slow_invoicing: blocks until the test releases it, then publishes and finishes. */
    static final class SlowInvoicing implements MessageHandler<InvoiceIssued> {
        private final EventPublisher events;

        SlowInvoicing(EventPublisher events) {
            this.events = events;
        }

        @Override
        public void handle(dev.eventbus.core.Message<InvoiceIssued> message) throws InterruptedException {
            STARTED.countDown();
            if (!RELEASE.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never released");
            }
            events.publish(new UserDeleted("billed-" + message.payload().invoiceId()));
            FINISHED.add(message.payload().invoiceId());
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class SlowApplication {
        @Bean
        SlowInvoicing slowInvoicing(EventPublisher events) {
            return new SlowInvoicing(events);
        }

        /** A queue for what the slow handler publishes while the context closes. */
        @Bean
        Subscription billed() {
            return Subscription.of(UserDeleted.class, "billed", message -> { });
        }
    }

    @Test
    void closingTheContextLetsARunningHandlerFinish(TestBroker broker) throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(SlowApplication.class)
                .web(WebApplicationType.NONE)
                .properties("eventbus.rabbitmq.url=" + broker.uri(), "eventbus.organization=" + broker.organization(),
                        "eventbus.service=" + broker.service(), "eventbus.rabbitmq.handler-queue-ttl=0")
                .run();
        context.getBean(EventPublisher.class).publish(new InvoiceIssued("inv-1"));
        assertThat(STARTED.await(15, TimeUnit.SECONDS)).as("slow_invoicing started").isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
        Thread.sleep(500); // the close must still be waiting for the handler: nothing else can finish it
        assertThat(closing).as("context close while slow_invoicing runs").isNotDone();
        RELEASE.countDown();
        closing.get(20, TimeUnit.SECONDS);

        assertThat(FINISHED).containsExactly("inv-1");
        String invoices = broker.convention().handlerQueue(MessageType.of(InvoiceIssued.class), "slow_invoicing");
        String billed = broker.convention().handlerQueue(MessageType.of(UserDeleted.class), "billed");
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            assertThat(channel.messageCount(invoices)).as("messages back in " + invoices + " (acknowledged: none)").isZero();
            assertThat(channel.messageCount(billed)).as("what the handler published while closing, in " + billed).isEqualTo(1);
        }
    }
}
