package dev.eventbus.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.eventbus.core.Convention;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.NameStyle;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.it.Events.UserCreated;
import dev.eventbus.rabbitmq.Headers;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A Java service on a topology a petisco 2 service declared first, exactly as petisco's configurer does it with pika
 * (underscore names, 32-bit integer TTLs, 5 s handler-queue TTL): declaring it again is a no-op, a body petisco
 * publishes is handled, and a retried copy carries what a petisco consumer of the same queue needs.
 */
@RabbitMqTest
class PetiscoCompatibilityIT {

    private static final int PETISCO_TTL = 5000;

    @Test
    void aJavaServiceSharesAPetiscoDeclaredTopology(TestBroker broker) throws Exception {
        Convention petisco = new Convention(broker.organization(), broker.service(), NameStyle.UNDERSCORES);
        String queue = petisco.handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        assertTrue(queue.endsWith(".1.event.user_created.send_mail_handler"), queue);
        declareAsPetisco(broker, petisco, queue);

        List<String> names = new CopyOnWriteArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        RabbitMqEventBus bus = broker.bus(b -> b.nameStyle(NameStyle.UNDERSCORES)
                .handlerQueueTtl(Duration.ofMillis(PETISCO_TTL))
                .retryPolicy(RetryPolicy.of(5, Duration.ofMillis(PETISCO_TTL)))
                .subscribe(Subscription.of(UserCreated.class, "send_mail_handler", message -> {
                    if (message.payload().name().equals("Retry") && attempts.incrementAndGet() == 1) {
                        throw new IllegalStateException("first attempt fails");
                    }
                    names.add(message.payload().name());
                })));

        bus.admin().configure();
        bus.start();

        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            // what petisco publishes: the body, delivery_mode 2, nothing else
            AMQP.BasicProperties petiscoProperties = new AMQP.BasicProperties.Builder().deliveryMode(2).build();
            byte[] vector = WireVectors.read("user_created_v1.json");
            channel.basicPublish(petisco.mainExchange(), petisco.routingKey(MessageType.of(UserCreated.class)), petiscoProperties, vector);
        }
        Await.until("petisco's body handled", Duration.ofSeconds(20), () -> names.contains("Alice"), names::toString);

        bus.publish(new UserCreated("u-2", "Retry"));
        Await.until("the first attempt failed", Duration.ofSeconds(20), () -> attempts.get() == 1, attempts::toString);
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            GetResponse retried = Await.untilValue("the retried copy in " + petisco.retryQueue(queue), Duration.ofSeconds(4),
                    () -> basicGet(channel, petisco.retryQueue(queue)), response -> response != null);
            Map<String, Object> headers = retried.getProps().getHeaders();
            assertEquals(queue, String.valueOf(headers.get(Headers.PETISCO_QUEUE)), "petisco's queue header");
            assertEquals(1, ((Number) headers.get(Headers.PETISCO_REDELIVERY_COUNT)).intValue(), "petisco's redelivery_count");
            channel.basicReject(retried.getEnvelope().getDeliveryTag(), true);
        }
        Await.until("handled after its retry", Duration.ofSeconds(20), () -> names.contains("Retry"), names::toString);
    }

    /** petisco's RabbitMqMessageSubscribersConfigurer, as pika sends it: TTLs as 32-bit integers. */
    private static void declareAsPetisco(TestBroker broker, Convention petisco, String queue) throws Exception {
        try (Connection connection = broker.newConnection(); Channel channel = connection.createChannel()) {
            for (String exchange : List.of(petisco.mainExchange(), petisco.retryExchange(), petisco.deadLetterExchange())) {
                channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
            }
            channel.queueDeclare(queue, true, false, false, Map.of("x-dead-letter-exchange", petisco.deadLetterExchange(),
                    "x-dead-letter-routing-key", "dead_letter." + queue, "x-message-ttl", PETISCO_TTL));
            channel.queueDeclare("retry." + queue, true, false, false, Map.of("x-dead-letter-exchange", petisco.mainExchange(),
                    "x-dead-letter-routing-key", "retry." + queue, "x-message-ttl", PETISCO_TTL));
            channel.queueDeclare("dead_letter." + queue, true, false, false, Map.of());
            channel.queueBind(queue, petisco.mainExchange(), petisco.routingKey(MessageType.of(UserCreated.class)));
            channel.queueBind(queue, petisco.mainExchange(), "retry." + queue);
            channel.queueBind("retry." + queue, petisco.retryExchange(), "retry." + queue);
            channel.queueBind("dead_letter." + queue, petisco.deadLetterExchange(), "dead_letter." + queue);
        }
    }

    private static GetResponse basicGet(Channel channel, String queue) {
        try {
            return channel.basicGet(queue, false);
        } catch (java.io.IOException e) {
            throw new AssertionError("basic.get on " + queue + " failed", e);
        }
    }
}
