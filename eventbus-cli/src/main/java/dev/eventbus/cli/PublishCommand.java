package dev.eventbus.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Convention;
import dev.eventbus.core.Envelope;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageKind;
import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eventbus publish}: sends messages as the service, each confirmed by the broker: petisco envelopes
 * ({@code {"data": {...}}}) as they are, or attributes wrapped in a new envelope of {@code --name}.
 */
@Command(name = "publish", mixinStandardHelpOptions = true,
        description = {"Publish messages to a service's exchange, each confirmed by the broker.",
                "The input (a file, or stdin) holds one JSON object, a JSON array, or one object per line: either "
                        + "envelopes {\"data\": {\"type\": ..., \"attributes\": ...}} or, with --name, attributes."})
final class PublishCommand implements Callable<Integer> {

    @Mixin
    Output output;
    @Mixin
    PlanOptions plan;
    @Mixin
    ConnectionOptions connection;

    @Option(names = {"-i", "--input"}, paramLabel = "<file>", description = "Where the JSON is; - for stdin. Default: -.")
    String input = "-";

    @Option(names = {"-n", "--name"}, paramLabel = "<message>",
            description = "The input is attributes of this message name, e.g. user.created, to wrap in new envelopes.")
    @Nullable String name;

    @Option(names = "--message-version", paramLabel = "<n>", description = "With --name: its version. Default: 1.")
    int version = 1;

    @Option(names = "--command", description = "With --name: the message is a command (default: a domain event).")
    boolean command;

    InputStream stdin = System.in;

    @Override
    public Integer call() {
        List<JsonNode> items = read();
        try (RabbitMqEventBus bus = plan.bus(connection.settings())) {
            Convention convention = bus.convention();
            List<EncodedMessage> messages = new ArrayList<>();
            for (JsonNode item : items) {
                messages.add(encode(bus.codec(), convention, item));
            }
            List<CompletableFuture<Void>> confirms = new ArrayList<>();
            AtomicLong confirmed = new AtomicLong();
            try (Progress progress = output.progress("messages confirmed", messages.size())) {
                // the bus keeps at most maxInFlight unconfirmed, so sending paces itself by the confirms
                for (EncodedMessage message : messages) {
                    confirms.add(bus.publishEncoded(message).whenComplete((ok, failure) -> confirmed.incrementAndGet()));
                    progress.update(confirmed.get(), messages.size());
                }
                for (CompletableFuture<Void> confirm : confirms) {
                    try {
                        confirm.join();
                    } catch (CompletionException e) {
                        throw e.getCause() instanceof RuntimeException cause ? cause : e;
                    }
                }
                progress.update(messages.size(), messages.size());
            }
            output.text("published " + messages.size() + (messages.size() == 1 ? " message" : " messages") + " to "
                    + convention.mainExchange() + " on " + connection.describe() + ", all confirmed");
            ObjectNode document = output.object().put("exchange", convention.mainExchange()).put("published", messages.size());
            var published = document.putArray("messages");
            messages.forEach(m -> published.addObject().put("id", m.id()).put("name", m.name()).put("version", m.version())
                    .put("routingKey", m.routingKey()));
            output.json(document);
        }
        return ExitCodes.OK;
    }

    private EncodedMessage encode(MessageCodec codec, Convention convention, JsonNode item) {
        if (!item.isObject()) {
            throw new ConfigurationException("the input holds JSON " + item.getNodeType() + " where a message (an object) was "
                    + "expected");
        }
        Envelope envelope;
        if (item.has("data")) {
            envelope = codec.decodeEnvelope(bytes(item));
        } else if (name != null) {
            envelope = new Envelope(UUID.randomUUID().toString(), name, version,
                    command ? MessageKind.COMMAND : MessageKind.DOMAIN_EVENT, Instant.now().truncatedTo(ChronoUnit.MICROS),
                    (ObjectNode) item, java.util.Map.of());
        } else {
            throw new ConfigurationException("the input holds an object without \"data\", so it is not an envelope: give "
                    + "--name <message> to publish it as the attributes of a new message");
        }
        ObjectNode body = Output.JSON.createObjectNode();
        ObjectNode data = body.putObject("data");
        data.put("id", envelope.id()).put("type", envelope.name()).put("type_message", envelope.kind().wireValue())
                .put("version", envelope.version()).put("occurred_on", MessageCodec.formatOccurredOn(envelope.occurredOn()));
        data.set("attributes", envelope.attributes());
        data.set("meta", Output.JSON.valueToTree(envelope.meta()));
        return new EncodedMessage(envelope.id(), envelope.name(), envelope.version(), envelope.kind(), envelope.occurredOn(),
                convention.mainExchange(), convention.routingKey(envelope.name(), envelope.version(), envelope.kind()),
                bytes(body));
    }

    private List<JsonNode> read() {
        String text;
        try {
            text = input.equals("-") ? new String(stdin.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(Path.of(input), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigurationException("cannot read " + (input.equals("-") ? "stdin" : input) + ": " + e.getMessage(), e);
        }
        List<JsonNode> items = new ArrayList<>();
        try (MappingIterator<JsonNode> values = Output.JSON.readerFor(JsonNode.class).readValues(text)) {
            while (values.hasNextValue()) {
                JsonNode value = values.nextValue();
                if (value.isArray()) {
                    value.forEach(items::add);
                } else {
                    items.add(value);
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigurationException((input.equals("-") ? "stdin" : input) + " is not JSON: " + e.getMessage()
                    + " (give one object, an array, or one object per line)", e);
        }
        if (items.isEmpty()) {
            throw new ConfigurationException((input.equals("-") ? "stdin" : input) + " holds no message");
        }
        return items;
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }
}
