package dev.eventbus.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.Delivery;
import dev.eventbus.core.Envelope;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.NonRetryableException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eventbus tail}: prints a service's messages as they are published, through a temporary queue of its own
 * (server-named, exclusive, auto-delete, non-durable) bound to the service's exchange: no handler's queue is touched,
 * and the broker deletes the queue when the command ends, however it ends.
 */
@Command(name = "tail", mixinStandardHelpOptions = true,
        description = {"Watch a service's messages live, through a temporary exclusive queue bound to its exchange "
                + "(never taking messages from a handler's queue). Stop with Ctrl-C, --count or --timeout.",
                "With --json: one JSON object per message and line (JSON Lines)."})
final class TailCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-k", "--key"}, paramLabel = "<binding-key>",
            description = "Binding keys of the temporary queue, e.g. '*.*.*.event.user_created'. Default: # (everything).")
    List<String> keys = new ArrayList<>(List.of("#"));

    @Option(names = "--dead-letters", description = "Also watch the service's dead-letter exchange.")
    boolean deadLetters;

    @Option(names = "--count", paramLabel = "<n>", description = "Stop after this many messages (exit 1 if --timeout "
            + "comes first).")
    int count;

    @Option(names = "--timeout", paramLabel = "<duration>", converter = DurationConverter.class,
            description = "Stop after this long, e.g. 30s or 5m. Default: never.")
    @Nullable Duration timeout;

    @Override
    public Integer call() throws IOException, InterruptedException, java.util.concurrent.TimeoutException {
        dev.eventbus.core.Convention convention;
        try (var bus = plan.bus(connection.settings())) {
            convention = bus.convention();
        }
        MessageCodec codec = new MessageCodec(new MessageRegistry());
        BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
        try (Connection amqp = connection.open("tail"); Channel channel = amqp.createChannel()) {
            String queue = channel.queueDeclare("", false, true, true, Map.of()).getQueue();
            List<String> exchanges = new ArrayList<>(List.of(convention.mainExchange()));
            if (deadLetters) {
                exchanges.add(convention.deadLetterExchange());
            }
            for (String exchange : exchanges) {
                for (String key : exchanges.indexOf(exchange) == 0 ? keys : List.of("#")) {
                    bind(amqp, queue, exchange, key);
                    channel.queueBind(queue, exchange, key);
                }
            }
            channel.basicConsume(queue, true, (tag, delivery) -> deliveries.add(delivery), tag -> { });
            output.note("watching " + String.join(", ", exchanges) + " " + keys + " on " + connection.describe()
                    + " through temporary queue " + queue + (count > 0 ? ", until " + count + " messages" : "")
                    + (timeout != null ? ", for " + timeout.toSeconds() + " s" : "") + "; Ctrl-C to stop");
            long deadline = timeout == null ? Long.MAX_VALUE : System.nanoTime() + timeout.toNanos();
            int seen = 0;
            while (count == 0 || seen < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                Delivery delivery = deliveries.poll(Math.min(left, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
                if (delivery != null) {
                    seen++;
                    print(codec, delivery);
                }
            }
            if (count > 0 && seen < count) {
                output.note("saw " + seen + " of " + count + " messages before the timeout");
                return ExitCodes.FINDINGS;
            }
            return ExitCodes.OK;
        }
    }

    /** Binds on a channel of its own first, so a missing exchange is reported as such (a 404 closes the channel). */
    private static void bind(Connection amqp, String queue, String exchange, String key) throws IOException {
        try (Channel probe = amqp.createChannel()) {
            probe.exchangeDeclarePassive(exchange);
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.CONFIGURATION, "exchange " + exchange + " does not exist on the broker: "
                    + "declare the service's topology first (eventbus configure), or check --organization/--service", e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    private void print(MessageCodec codec, Delivery delivery) {
        String routingKey = delivery.getEnvelope().getRoutingKey();
        String exchange = delivery.getEnvelope().getExchange();
        String body = new String(delivery.getBody(), StandardCharsets.UTF_8);
        Envelope envelope = null;
        String problem = null;
        try {
            envelope = codec.decodeEnvelope(delivery.getBody());
        } catch (NonRetryableException e) {
            problem = e.getMessage();
        }
        if (output.json) {
            ObjectNode line = output.object().put("exchange", exchange).put("routingKey", routingKey);
            if (envelope != null) {
                line.put("id", envelope.id()).put("name", envelope.name()).put("version", envelope.version())
                        .put("kind", envelope.kind().wireValue()).put("occurredOn", envelope.occurredOn().toString());
                line.set("attributes", envelope.attributes());
            } else {
                line.put("problem", problem).put("body", body);
            }
            output.out().println(line.toString());
        } else if (envelope != null) {
            output.out().println(Instant.now() + " " + routingKey + " " + envelope.describe() + " " + envelope.attributes());
        } else {
            output.out().println(Instant.now() + " " + routingKey + " not an eventbus message (" + problem + "): "
                    + (body.length() > 200 ? body.substring(0, 200) + "..." : body));
        }
        output.out().flush();
    }

}
