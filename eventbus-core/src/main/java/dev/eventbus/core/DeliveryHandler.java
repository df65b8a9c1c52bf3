package dev.eventbus.core;

/**
 * Handles messages of one type, with the {@link Delivery} it runs for as an argument: which attempt this is, the queue,
 * the original routing key, whether the broker delivered it before. The context is a plain argument, so asynchronous
 * code can keep it (unlike {@link Delivery#current()}, which is only set on the handler thread).
 *
 * <pre>{@code
 * Subscription.handling(UserCreated.class, "send_mail_handler", (message, delivery) -> {
 *     if (delivery.attempt() > 1) log.info("retrying {}", message.id());
 *     mailer.welcome(message.payload().userId());
 * });
 * }</pre>
 *
 * <p>Same contract as {@link MessageHandler}: return to acknowledge, throw to retry, throw a
 * {@link NonRetryableException} to dead-letter at once.
 *
 * @param <T> the payload type
 */
@FunctionalInterface
public interface DeliveryHandler<T> {

    /**
     * Handles one message.
     *
     * @throws Exception to signal failure
     */
    void handle(Message<T> message, Delivery delivery) throws Exception;
}
