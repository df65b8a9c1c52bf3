package dev.eventbus.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.eventbus.core.Message;
import dev.eventbus.core.MessageCodec;
import dev.eventbus.core.MessageRegistry;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.Names;
import dev.eventbus.schema.JsonSchemaValidator;
import java.io.IOException;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * JMH micro-benchmarks of the per-message work besides the broker: the library's envelope encode and decode next to
 * plain Jackson binding of the same envelope (what a raw client user writes), message name derivation, and schema
 * validation of one message's attributes. Run by {@link BenchmarkMain}; not API.
 */
@State(Scope.Benchmark)
public class CodecBenchmarks {

    private MessageCodec codec;
    private RawCodec raw;
    private MessageValidator validator;
    private Message<OrderPlaced> message;
    private RawCodec.Envelope rawEnvelope;
    private byte[] body;
    private JsonNode attributes;

    /** Builds the codecs, the validator, one message and its body. */
    @Setup
    public void setUp() throws IOException {
        MessageRegistry registry = new MessageRegistry();
        registry.register(MessageType.of(OrderPlaced.class));
        codec = new MessageCodec(registry);
        raw = new RawCodec(MessageValidator.NONE);
        validator = JsonSchemaValidator.fromClasspath();
        message = Message.of(OrderPlaced.next(42));
        rawEnvelope = RawCodec.envelope(message.payload());
        body = codec.encode(message);
        attributes = codec.decodeEnvelope(body).attributes();
    }

    /** The library's envelope encoding of one message. */
    @Benchmark
    public byte[] libraryEncode() {
        return codec.encode(message);
    }

    /** Jackson data binding of the same envelope. */
    @Benchmark
    public byte[] rawEncode() {
        return raw.encode(rawEnvelope);
    }

    /** The library's decoding of one body into a typed message (envelope, registry lookup, attributes). */
    @Benchmark
    public Message<?> libraryDecode() {
        return codec.decode(body);
    }

    /** Jackson data binding of the same body. */
    @Benchmark
    public OrderPlaced rawDecode() {
        return raw.decode(body);
    }

    /** Message name derivation from the class ({@code OrderPlaced} -> {@code order.placed}). */
    @Benchmark
    public String messageName() {
        return Names.messageName(OrderPlaced.class);
    }

    /** JSON Schema validation of one message's attributes. */
    @Benchmark
    public JsonNode schemaValidate() {
        validator.validate(RawCodec.NAME, RawCodec.VERSION, attributes);
        return attributes;
    }
}
