package dev.eventbus.rabbitmq.internal.publishing;

import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.PublishNotConfirmedException;
import dev.eventbus.rabbitmq.UnroutableMessageException;
import dev.eventbus.rabbitmq.FrameLimits;
import dev.eventbus.rabbitmq.internal.connection.RabbitMqConnector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The publisher against the local broker ({@code EVENTBUS_RABBITMQ_URL}, else the {@code RABBITMQ_*} variables, else
 * localhost), on a queue of its own: what only a real client and broker show (frame limits, delivery tags).
 */
class ConfirmingPublisherIT {

    private Connection connection;
    private Channel admin;
    private String queue;

    @BeforeEach
    void connect() throws Exception {
        connection = new RabbitMqConnector(RabbitMqConnectionSettings.fromEnvironment()
                .withConnectionName("confirming-publisher-it")).open("publisher");
        admin = connection.createChannel();
        queue = admin.queueDeclare("", false, true, true, null).getQueue();
    }

    @AfterEach
    void close() throws Exception {
        connection.abort(2_000);
    }

    @Test
    void aPublishWithHeadersOverFrameMaxFailsClearlyAndTheNextTenBlockingPublishesAreEachConfirmed() throws Exception {
        ConfirmingPublisher publisher = new ConfirmingPublisher(connection, 100, 1, Duration.ofSeconds(5));
        try {
            Map<String, Object> headers = new HashMap<>();
            headers.put("their-trace", "t".repeat(connection.getFrameMax() + 10));
            PublishNotConfirmedException refused = assertThrows(PublishNotConfirmedException.class,
                    () -> publisher.publish("", queue, true, properties("too-big", headers), new byte[] {1}, "the oversized message"));
            assertTrue(refused.getMessage().contains("do not fit in one frame") && refused.getMessage().contains("fitToFrame"),
                    refused.getMessage());
            for (int i = 0; i < 10; i++) {
                long start = System.nanoTime();
                publisher.publish("", queue, true, properties("after-" + i, null), new byte[] {1}, "message " + i);
                long took = Duration.ofNanos(System.nanoTime() - start).toMillis();
                assertTrue(took < 4_000, "message " + i + " was confirmed only after " + took + " ms");
            }
            publisher.publish("", queue, true, properties("fitted", FrameLimits.fitToFrame(headers, connection.getFrameMax())),
                    new byte[] {1}, "the message with fitted headers");
            assertEquals(11, admin.queueDeclarePassive(queue).getMessageCount());
        } finally {
            publisher.close();
        }
    }

    @Test
    void aNackOrReturnAfterAFailedPublishBlamesTheRightMessage() {
        ConfirmingPublisher publisher = new ConfirmingPublisher(connection, 100, 1, Duration.ofSeconds(5));
        try {
            Map<String, Object> headers = Map.of("their-trace", "t".repeat(connection.getFrameMax() + 10));
            assertThrows(PublishNotConfirmedException.class,
                    () -> publisher.publish("", queue, true, properties("too-big", headers), new byte[] {1}, "the oversized message"));
            publisher.publish("", queue, true, properties("routed", null), new byte[] {1}, "a routed message");
            UnroutableMessageException unroutable = assertThrows(UnroutableMessageException.class,
                    () -> publisher.publish("", "no-such-queue-" + queue, true, properties("unroutable", null), new byte[] {1},
                            "an unroutable message"));
            assertTrue(unroutable.getMessage().startsWith("an unroutable message"), unroutable.getMessage());
            publisher.publish("", queue, true, properties("routed-2", null), new byte[] {1}, "another routed message");
        } finally {
            publisher.close();
        }
    }

    private static AMQP.BasicProperties properties(String id, Map<String, Object> headers) {
        return new AMQP.BasicProperties.Builder().messageId(id).headers(headers).build();
    }
}
