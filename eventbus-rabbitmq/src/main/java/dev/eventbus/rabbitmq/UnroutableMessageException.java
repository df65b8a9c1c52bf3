package dev.eventbus.rabbitmq;

/**
 * The broker returned a mandatory message because no queue is bound to its routing key: nobody would have
 * received it. Configure the subscribers (or the store queue) before publishing.
 */
public class UnroutableMessageException extends PublishException {

    private final String exchange;
    private final String routingKey;

    public UnroutableMessageException(String message, String exchange, String routingKey) {
        super(message);
        this.exchange = exchange;
        this.routingKey = routingKey;
    }

    /** The exchange the message was published to. */
    public String exchange() {
        return exchange;
    }

    /** The routing key no queue is bound to. */
    public String routingKey() {
        return routingKey;
    }
}
