package dev.eventbus.rabbitmq.internal.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ShutdownSignalException;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.rabbitmq.TopologyConflictException;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * How {@link RabbitMqConfigurer} talks to the broker: declarations pipelined with one round trip at the end, and a
 * refusal repeated one by one so that the error names what failed. (Every integration test declares through it on the
 * real broker; this test counts the calls, which the broker cannot show.)
 */
class RabbitMqConfigurerTest {

    private static final Topology TOPOLOGY = new Topology(
            List.of(new Topology.Exchange("acme.shop", false), new Topology.Exchange("retry.acme.shop", false)),
            List.of(new Topology.Queue("acme.shop.1.event.order_placed.mail", Map.of("x-message-ttl", 5000), false),
                    new Topology.Queue("retry.acme.shop.1.event.order_placed.mail", Map.of(), false)),
            List.of(new Topology.Binding("acme.shop", "acme.shop.1.event.order_placed.mail", "acme.shop.1.event.order_placed"),
                    new Topology.Binding("retry.acme.shop", "retry.acme.shop.1.event.order_placed.mail", "retry.x")));

    @Test
    void declaringSendsEveryDeclarationWithoutWaitingThenMakesOneRoundTrip() {
        FakeBroker broker = new FakeBroker(null);

        new RabbitMqConfigurer(broker.connection).declare(TOPOLOGY);

        assertEquals(List.of("exchangeDeclareNoWait acme.shop", "exchangeDeclareNoWait retry.acme.shop",
                "queueDeclareNoWait acme.shop.1.event.order_placed.mail", "queueDeclareNoWait retry.acme.shop.1.event.order_placed.mail",
                "queueBindNoWait acme.shop.1.event.order_placed.mail", "queueBindNoWait retry.acme.shop.1.event.order_placed.mail",
                "exchangeDeclarePassive acme.shop"), broker.calls);
        assertEquals(1, broker.roundTrips(), "one round trip for the whole topology: " + broker.calls);
    }

    @Test
    void queuesWithoutAnExchangeEndWithABasicQosRoundTrip() {
        FakeBroker broker = new FakeBroker(null);

        new RabbitMqConfigurer(broker.connection).declare(new Topology(List.of(),
                List.of(new Topology.Queue("dead_letter.acme.shop.live", Map.of(), false)), List.of()));

        assertEquals(List.of("queueDeclareNoWait dead_letter.acme.shop.live", "basicQos 0"), broker.calls);
    }

    @Test
    void clearingDeletesWithoutWaitingThenMakesOneRoundTrip() {
        FakeBroker broker = new FakeBroker(null);

        new RabbitMqConfigurer(broker.connection).clear(TOPOLOGY);

        assertEquals(List.of("queueDeleteNoWait acme.shop.1.event.order_placed.mail",
                "queueDeleteNoWait retry.acme.shop.1.event.order_placed.mail", "exchangeDeleteNoWait acme.shop",
                "exchangeDeleteNoWait retry.acme.shop", "basicQos 0"), broker.calls);
    }

    @Test
    void aRefusedDeclarationIsRepeatedOneByOneAndTheErrorNamesTheQueueAndArgument() {
        FakeBroker broker = new FakeBroker("PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue "
                + "'acme.shop.1.event.order_placed.mail' in vhost '/': received '5000' but current is '60000'");

        TopologyConflictException conflict = assertThrows(TopologyConflictException.class,
                () -> new RabbitMqConfigurer(broker.connection).declare(TOPOLOGY));

        assertEquals("acme.shop.1.event.order_placed.mail", conflict.name());
        assertEquals("x-message-ttl", conflict.argument());
        assertTrue(broker.calls.contains("queueDeclare acme.shop.1.event.order_placed.mail"),
                "repeated with a blocking declaration: " + broker.calls);
        assertEquals(2, broker.channelsOpened, "the pipelined channel, closed by the refusal, then a new one");
    }

    /**
     * A connection whose channels record each call; with {@code refusal}, the queue it names is refused as the broker
     * does: a blocking declaration fails, and after a pipelined one the channel closes, so the next round trip fails.
     */
    private static final class FakeBroker {
        final List<String> calls = new ArrayList<>();
        final String refusal;
        final Connection connection;
        int channelsOpened;

        FakeBroker(String refusal) {
            this.refusal = refusal;
            connection = (Connection) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Connection.class},
                    (proxy, method, args) -> method.getName().equals("createChannel") ? channel() : defaultValue(method));
        }

        long roundTrips() {
            return calls.stream().filter(call -> !call.contains("NoWait")).count();
        }

        private Channel channel() {
            channelsOpened++;
            boolean[] closed = {false};
            return (Channel) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Channel.class},
                    (proxy, method, args) -> {
                        String name = method.getName();
                        if (name.equals("isOpen")) {
                            return !closed[0];
                        }
                        if (name.equals("close")) {
                            closed[0] = true;
                            return null;
                        }
                        calls.add(name + " " + args[0]);
                        boolean refused = refusal != null && name.startsWith("queueDeclare") && refusal.contains("'" + args[0] + "'");
                        if (refused && name.endsWith("NoWait")) {
                            closed[0] = true; // the broker's channel.close arrives later
                            return null;
                        }
                        if (refused || (closed[0] && !name.endsWith("NoWait"))) {
                            closed[0] = true;
                            throw new IOException(new ShutdownSignalException(false, false,
                                    new AMQP.Channel.Close.Builder().replyCode(406).replyText(refusal).build(), proxy));
                        }
                        return defaultValue(method);
                    });
        }

        private static Object defaultValue(Method method) {
            Class<?> type = method.getReturnType();
            if (type == boolean.class) {
                return false;
            }
            if (type == int.class) {
                return 0;
            }
            if (type == long.class) {
                return 0L;
            }
            return null;
        }
    }
}
