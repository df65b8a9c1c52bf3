package dev.eventbus.cli;

import dev.eventbus.core.Event;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.time.Duration;
import java.util.List;

/** Plans the command line loads by name in the tests; the tests override the organization with their own. */
final class TestPlans {

    static final String SERVICE = "cli";
    static final String HANDLER = "send_mail_handler";
    static final String AUDIT = "audit_handler";

    private TestPlans() {
    }

    /** The test's event. */
    record UserCreated(String userId, String name, List<String> tags) implements Event {
    }

    /** One handler of UserCreated, classic queues, 5 s retries, no handler queue TTL (messages wait). */
    public static final class OneHandler implements ServicePlan {
        @Override
        public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
            return bus.organization("alice").service(SERVICE).handlerQueueTtl(null)
                    .retryPolicy(RetryPolicy.of(3, Duration.ofSeconds(5)))
                    .subscribe(Subscription.of(UserCreated.class, HANDLER, message -> { }));
        }
    }

    /** {@link OneHandler} moved to quorum queues and 10 s retries. */
    public static final class OneHandlerQuorum implements ServicePlan {
        @Override
        public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
            return new OneHandler().configure(bus).queueType(QueueType.QUORUM).retryPolicy(RetryPolicy.of(3, Duration.ofSeconds(10)));
        }
    }

    /** Every kind of subscription: typed, all messages, from another service, and the store. */
    public static final class EveryKind implements ServicePlan {
        @Override
        public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
            return new OneHandler().configure(bus)
                    .subscribe(Subscription.allMessages("statistics", message -> { }),
                            Subscription.of(UserCreated.class, "welcome", message -> { }).from("accounts"),
                            Subscription.store("event_store", message -> { }));
        }
    }

    /** Another event of the tests: {@code user.deleted}. */
    record UserDeleted(String userId) implements Event {
    }

    /** A handler of UserCreated and UserDeleted on one endpoint queue, in publish order. */
    public static final class EndpointQueue implements ServicePlan {
        @Override
        public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
            return bus.organization("alice").service(SERVICE).handlerQueueTtl(null)
                    .subscribe(Subscription.of("accounts_view", (dev.eventbus.core.Message<Event> message) -> { },
                            UserCreated.class, UserDeleted.class).endpointQueue());
        }
    }

    /** {@link OneHandler} and a second handler of UserCreated, {@value #AUDIT} (a queue to move dead letters to). */
    public static final class TwoHandlers implements ServicePlan {
        @Override
        public RabbitMqEventBusBuilder configure(RabbitMqEventBusBuilder bus) {
            return new OneHandler().configure(bus).subscribe(Subscription.of(UserCreated.class, AUDIT, message -> { }));
        }
    }

    /**
     * The topology of {@link OneHandler} (or, with {@code audit}, of {@link TwoHandlers}) with handlers that always fail
     * without retry: every message becomes a dead letter at once, {@code "no mail server for <name>"}.
     */
    static RabbitMqEventBusBuilder failing(RabbitMqEventBusBuilder bus, boolean audit) {
        bus.organization("alice").service(SERVICE).handlerQueueTtl(null).retryPolicy(RetryPolicy.of(3, Duration.ofSeconds(5)))
                .subscribe(Subscription.of(UserCreated.class, HANDLER, message -> {
                    throw new NonRetryableException("no mail server for " + message.payload().name());
                }));
        if (audit) {
            bus.subscribe(Subscription.of(UserCreated.class, AUDIT, message -> {
                throw new NonRetryableException("audit store down");
            }));
        }
        return bus;
    }

    /** Not a plan: the command line says so. */
    public static final class NotAPlan {
    }
}
