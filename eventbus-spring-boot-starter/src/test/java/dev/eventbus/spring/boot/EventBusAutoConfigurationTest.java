package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventPublisher;
import dev.eventbus.core.HandlerStatus;
import dev.eventbus.core.InMemoryBroker;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.InvalidMessageException;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.MessageValidator;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.Topology;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RecordingEventBus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.autoconfigure.endpoint.EndpointAutoConfiguration;
import org.springframework.boot.actuate.autoconfigure.health.HealthContributorAutoConfiguration;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The auto-configuration's conditions, beans and handler discovery, in contexts without a broker. */
class EventBusAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventBusAutoConfiguration.class,
                    EventBusHealthContributorAutoConfiguration.class, EventBusEndpointAutoConfiguration.class,
                    HealthContributorAutoConfiguration.class, EndpointAutoConfiguration.class))
            .withPropertyValues("eventbus.organization=alice", "eventbus.service=billing",
                    "management.endpoints.web.exposure.include=health,eventbus");

    private final ApplicationContextRunner inMemory = runner.withPropertyValues("eventbus.transport=in-memory");

    /** A RabbitMQ bus that is built but never started: no broker is needed to inspect it. */
    private final ApplicationContextRunner rabbitNotStarted = runner.withPropertyValues("eventbus.auto-startup=false",
            "eventbus.rabbitmq.url=amqp://guest:guest@127.0.0.1:1/");

    @Test
    void rabbitMqIsTheDefaultTransportAndTheBusIsAlsoTheEventPublisher() {
        rabbitNotStarted.run(context -> {
            assertThat(context).hasNotFailed();
            RabbitMqEventBus bus = context.getBean(RabbitMqEventBus.class);
            assertThat(context.getBean(EventBus.class)).isSameAs(bus);
            assertThat(context.getBean(EventPublisher.class)).isSameAs(bus);
            assertThat(context.getBean("eventPublisher")).isSameAs(bus);
            assertThat(bus.convention().mainExchange()).isEqualTo("alice.billing");
            assertThat(bus.connectionName()).isEqualTo("alice.billing");
            assertThat(context).hasSingleBean(EventBusLifecycle.class);
            assertThat(context.getBean(EventBusLifecycle.class).isRunning()).isFalse();
        });
    }

    @Test
    void inMemoryTransportNeedsNoBroker() {
        inMemory.withPropertyValues("eventbus.transport=IN_MEMORY").run(context -> {
            assertThat(context).hasNotFailed().hasSingleBean(InMemoryEventBus.class).doesNotHaveBean(RabbitMqEventBus.class);
            InMemoryEventBus bus = context.getBean(InMemoryEventBus.class);
            assertThat(context.getBean(EventPublisher.class)).isSameAs(bus);
            assertThat(bus.convention().mainExchange()).isEqualTo("alice.billing");
            assertThat(context.getBean(EventBusLifecycle.class).isRunning()).isTrue();
        });
    }

    @Test
    void aTransportThatIsNoneFailsNamingTheKey() {
        runner.withPropertyValues("eventbus.transport=kafka").run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("kafka");
            assertThat(messages(context.getStartupFailure())).contains("eventbus.transport");
        });
    }

    @Test
    void propertiesReachTheBuilder() {
        rabbitNotStarted.withUserConfiguration(Handlers.class)
                .withPropertyValues("eventbus.rabbitmq.handler-queue-ttl=0", "eventbus.rabbitmq.queue-type=quorum",
                        "eventbus.rabbitmq.quorum-delivery-limit=3", "eventbus.retry.delay=750ms",
                        "eventbus.handlers.send-mail-handler.retry.delay=250ms", "eventbus.rabbitmq.connection-name=billing-7",
                        "eventbus.name-style=dots")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    RabbitMqEventBus bus = context.getBean(RabbitMqEventBus.class);
                    assertThat(bus.connectionName()).isEqualTo("billing-7");
                    Topology topology = bus.admin().topology();
                    Topology.Queue sendMail = topology.queue("alice.billing.1.event.user.created.send_mail_handler").orElseThrow();
                    assertThat(sendMail.arguments()).containsEntry(Topology.QUEUE_TYPE, "quorum")
                            .containsEntry(Topology.DELIVERY_LIMIT, 3).doesNotContainKey(Topology.MESSAGE_TTL);
                    assertThat(topology.queue("retry.alice.billing.1.event.user.created.send_mail_handler").orElseThrow()
                            .arguments()).containsEntry(Topology.MESSAGE_TTL, 250);
                    assertThat(topology.queue("retry.alice.billing.1.event.user.created.welcome").orElseThrow()
                            .arguments()).containsEntry(Topology.MESSAGE_TTL, 750);
                });
    }

    @Test
    void subscribesEveryKindOfHandlerBeanUnderTheNameTheLibraryDerives() {
        inMemory.withUserConfiguration(Handlers.class).withBean(Subscription.class,
                () -> Subscription.of(UserDeleted.class, "by_hand", message -> { }).from("accounts")).run(context -> {
                    assertThat(context).hasNotFailed();
                    List<String> queues = context.getBean(InMemoryEventBus.class).health().handlers().stream()
                            .map(HandlerStatus::queue).toList();
                    assertThat(queues).containsExactlyInAnyOrder(
                            "alice.billing.1.event.user_deleted.by_hand",
                            "alice.billing.1.event.user_created.send_mail_handler",
                            "alice.billing.1.event.user_deleted.audit_trail",
                            "alice.billing.1.event.user_created.welcome",
                            "alice.billing.1.event.user_created.count_users",
                            "alice.billing.1.event.user_created.say_goodbye_when_blank",
                            "alice.billing.1.event.user_created.notify_crm",
                            "alice.billing.1.event.invoice_issued.send_invoice");
                });
    }

    @Test
    void handlerBeansReceiveEventsWithoutABroker() {
        inMemory.withUserConfiguration(Handlers.class).run(context -> {
            EventPublisher events = context.getBean(EventPublisher.class);
            events.publish(new UserCreated("u-1", "Alice"));
            events.publish(new UserCreated("u-2", " "));
            Handlers.Mailer mailer = context.getBean(Handlers.Mailer.class);
            Await.received("send_mail_handler", 2, context.getBean(Handlers.SendMailHandler.class).received, Duration.ofSeconds(5));
            Await.received("welcome", 2, mailer.welcomed, Duration.ofSeconds(5));
            Await.received("count_users", 2, mailer.counted, Duration.ofSeconds(5));
            Await.received("notify_crm", 2, context.getBean(Handlers.class).lambdaReceived, Duration.ofSeconds(5));
            Await.received("audit_trail", 1, context.getBean(Handlers.AuditTrail.class).received, Duration.ofSeconds(5));
            assertThat(mailer.counted).containsExactlyInAnyOrder("u-1 attempt 1", "u-2 attempt 1");
            assertThat(context.getBean(Handlers.AuditTrail.class).received)
                    .containsExactly("u-2@alice.billing.1.event.user_deleted.audit_trail");
        });
    }

    @Test
    void aHandlerRetriesByItsOwnPolicyThenIsDeadLettered() {
        List<String> attempts = new CopyOnWriteArrayList<>();
        inMemory.withPropertyValues("eventbus.retry.max-retries=4", "eventbus.retry.delay=10ms",
                        "eventbus.handlers.always-failing.retry.max-retries=1")
                .withBean(AlwaysFailing.class, () -> new AlwaysFailing(attempts)).run(context -> {
                    assertThat(context).hasNotFailed();
                    InMemoryEventBus bus = context.getBean(InMemoryEventBus.class);
                    bus.publish(new UserCreated("u-1", "Alice"));
                    List<DeadLetter> letters = Await.untilValue("a dead letter of always_failing", Duration.ofSeconds(5),
                            () -> bus.deadLetters("always_failing"), list -> !list.isEmpty());
                    assertThat(letters.get(0).attempts()).isEqualTo(2);
                    assertThat(attempts).containsExactly("u-1", "u-1");
                });
    }

    @Test
    void aLambdaBeanDeclaredWithoutItsTypeFailsSayingWhatToDo() {
        inMemory.withBean("raw", MessageHandler.class, () -> message -> { }).run(context -> {
            assertThat(context).hasFailed();
            assertThat(messages(context.getStartupFailure())).contains("MessageHandler bean 'raw'")
                    .contains("no resolvable message type");
        });
    }

    @Test
    void twoHandlersOfOneNameFailNamingBoth() {
        inMemory.withUserConfiguration(Handlers.class)
                .withBean("welcomeAgain", Subscription.class, () -> Subscription.of(UserCreated.class, "welcome", m -> { }))
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("two handlers are named 'welcome'")
                            .contains("Subscription bean 'welcomeAgain'").contains("method Mailer.welcome of bean 'mailer'");
                });
    }

    @Test
    void aHandlerKeyThatNamesNoHandlerFailsNamingTheKey() {
        inMemory.withUserConfiguration(Handlers.class).withPropertyValues("eventbus.handlers.send-mails.retry.max-retries=1")
                .run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(messages(context.getStartupFailure())).contains("eventbus.handlers.send-mails names no handler")
                            .contains("send_mail_handler").contains("welcome");
                });
    }

    @Test
    void handlerKeysTakeDashesForUnderscoresOrBrackets() {
        inMemory.withUserConfiguration(Handlers.class)
                .withPropertyValues("eventbus.handlers.send-mail-handler.retry.max-retries=1",
                        "eventbus.handlers.[count_users].retry.max-retries=2")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBusProperties properties = context.getBean(EventBusProperties.class);
                    assertThat(properties.getHandlers().keySet()).containsExactlyInAnyOrder("send-mail-handler", "count_users");
                    assertThat(properties.retryPolicy(properties.getHandlers().get("count_users")))
                            .isEqualTo(RetryPolicy.of(2, Duration.ofSeconds(5)));
                });
    }

    @Test
    void handlerKeysTakeTheNameAsItIsToo() {
        inMemory.withUserConfiguration(Handlers.class)
                .withPropertyValues("eventbus.handlers.send_mail_handler.retry.max-retries=1").run(context -> {
                    assertThat(context).hasNotFailed();
                    EventBusProperties properties = context.getBean(EventBusProperties.class);
                    assertThat(properties.getHandlers()).containsOnlyKeys("send_mail_handler");
                    assertThat(properties.retryPolicy(properties.getHandlers().get("send_mail_handler")).maxRetries()).isEqualTo(1);
                });
    }

    @Test
    void anApplicationBusIsKeptAndGetsTheHandlerBeans() {
        runner.withUserConfiguration(Handlers.class).withBean(RecordingEventBus.class, RecordingEventBus::new)
                .withPropertyValues("eventbus.configure-on-start=false").run(context -> {
            assertThat(context).hasNotFailed().doesNotHaveBean(RabbitMqEventBus.class).doesNotHaveBean(InMemoryEventBus.class);
            RecordingEventBus bus = context.getBean(RecordingEventBus.class);
            assertThat(bus.subscriptions()).extracting(Subscription::handlerName)
                    .contains("send_mail_handler", "welcome", "notify_crm");
            assertThat(bus.isStarted()).isTrue();
        });
    }

    @Test
    void customizersAndTheValidatorBeanReachTheBuilder() {
        InMemoryBroker shared = new InMemoryBroker();
        inMemory.withBean(InMemoryEventBusBuilderCustomizer.class, () -> builder -> builder.broker(shared))
                .withBean(MessageValidator.class, () -> (name, version, attributes) -> {
                    throw new InvalidMessageException(name, version, List.of("refused by the test's validator"));
                })
                .run(context -> {
                    InMemoryEventBus bus = context.getBean(InMemoryEventBus.class);
                    assertThat(bus.broker()).isSameAs(shared);
                    org.assertj.core.api.Assertions.assertThatThrownBy(() -> bus.publish(new UserCreated("u-1", "Alice")))
                            .isInstanceOf(InvalidMessageException.class).hasMessageContaining("refused by the test's validator");
                });
    }

    @Test
    void rabbitMqCustomizersRunInOrderAfterTheProperties() {
        rabbitNotStarted.withPropertyValues("eventbus.rabbitmq.connection-name=from-properties")
                .withUserConfiguration(OrderedCustomizers.class).run(context -> {
                    assertThat(context.getBean(RabbitMqEventBus.class).connectionName()).isEqualTo("second");
                });
    }

    @Test
    void healthIsUpWhenEveryHandlerConsumesAndTheEndpointListsTheHandlerQueues() {
        inMemory.withUserConfiguration(Handlers.class).run(context -> {
            HealthIndicator health = context.getBean("eventbusHealthIndicator", HealthIndicator.class);
            assertThat(health.health().getStatus()).isEqualTo(Status.UP);
            EventBusEndpoint.Description description = context.getBean(EventBusEndpoint.class).describe();
            assertThat(description.transport()).isEqualTo("in-memory");
            assertThat(description.topology()).isNull();
            assertThat(description.handlers()).extracting(EventBusEndpoint.HandlerQueue::handler).contains("welcome");
            assertThat(description.handlers()).allSatisfy(queue -> {
                assertThat(queue.deadLetters()).isZero();
                assertThat(queue.state()).isEqualTo("CONSUMING");
            });
        });
    }

    @Test
    void healthIsDownWithTheProblemsWhenTheBusDoesNotRun() {
        inMemory.withUserConfiguration(Handlers.class).withPropertyValues("eventbus.auto-startup=false").run(context -> {
            var health = context.getBean("eventbusHealthIndicator", HealthIndicator.class).health();
            assertThat(health.getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.getDetails().get("problems")).asString()
                    .contains("handler welcome on alice.billing.1.event.user_created.welcome is IDLE");
        });
    }

    @Test
    void theRabbitMqEndpointShowsTheTopology() {
        rabbitNotStarted.withUserConfiguration(Handlers.class).run(context -> {
            EventBusEndpoint.Description description = context.getBean(EventBusEndpoint.class).describe();
            assertThat(description.transport()).isEqualTo("rabbitmq");
            assertThat(description.topology()).isNotNull();
            assertThat(description.topology().queues()).extracting(Topology.Queue::name)
                    .contains("alice.billing.1.event.user_created.welcome", "dead_letter.alice.billing.1.event.user_created.welcome");
        });
    }

    @Test
    void withoutActuatorThereIsNoHealthIndicatorNorEndpoint() {
        inMemory.withClassLoader(new FilteredClassLoader(HealthIndicator.class, org.springframework.boot.actuate.endpoint.annotation.Endpoint.class))
                .run(context -> {
                    assertThat(context).hasNotFailed().hasSingleBean(InMemoryEventBus.class)
                            .doesNotHaveBean(EventBusHealthIndicator.class).doesNotHaveBean(EventBusEndpoint.class);
                });
    }

    @Test
    void theHealthIndicatorCanBeTurnedOff() {
        inMemory.withPropertyValues("management.health.eventbus.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(EventBusHealthIndicator.class));
    }

    /** Fails every message: handler always_failing. */
    static final class AlwaysFailing implements MessageHandler<UserCreated> {
        private final List<String> attempts;

        AlwaysFailing(List<String> attempts) {
            this.attempts = attempts;
        }

        @Override
        public void handle(dev.eventbus.core.Message<UserCreated> message) {
            attempts.add(message.payload().userId());
            throw new IllegalStateException("no mail server");
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OrderedCustomizers {
        @Bean
        @org.springframework.core.annotation.Order(2)
        RabbitMqEventBusBuilderCustomizer second() {
            return builder -> builder.connectionName("second");
        }

        @Bean
        @org.springframework.core.annotation.Order(1)
        RabbitMqEventBusBuilderCustomizer first() {
            return builder -> builder.connectionName("first");
        }
    }

    /** Every message of a failure and its causes, one per line. */
    static String messages(Throwable failure) {
        StringBuilder out = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            out.append(t.getMessage()).append('\n');
        }
        return out.toString();
    }
}
