package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.RetryPolicy;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** Binding {@code eventbus.*}: the builders' defaults, and errors that name the key of a bad value. */
class EventBusPropertiesTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(EventBusAutoConfiguration.class))
            .withPropertyValues("eventbus.transport=in-memory", "eventbus.organization=alice", "eventbus.service=billing");

    @Test
    void defaultsAreTheBuildersDefaults() {
        EventBusProperties properties = new EventBusProperties();
        assertThat(properties.retryPolicy()).isEqualTo(RetryPolicy.DEFAULT);
        assertThat(properties.getStopTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(properties.getHandlerThreads()).isNull();
        EventBusProperties.RabbitMq rabbitmq = properties.getRabbitmq();
        assertThat(rabbitmq.getPrefetch()).isEqualTo(50);
        assertThat(rabbitmq.getMaxInFlight()).isEqualTo(100);
        assertThat(rabbitmq.getPublisherChannels()).isEqualTo(4);
        assertThat(rabbitmq.getQuorumDeliveryLimit()).isEqualTo(10);
        assertThat(rabbitmq.getHandlerQueueTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(rabbitmq.getStoreQueueTtl()).isEqualTo(Duration.ofSeconds(5));
        assertThat(rabbitmq.getStoreRetryDelay()).isEqualTo(Duration.ofSeconds(5));
        assertThat(rabbitmq.getPublishTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(rabbitmq.isFailOnUnroutable()).isTrue();
        RabbitMqConnectionSettings localhost = RabbitMqConnectionSettings.localhost();
        assertThat(rabbitmq.getConnectionTimeout()).isEqualTo(localhost.connectionTimeout());
        assertThat(rabbitmq.getRecoveryInterval()).isEqualTo(localhost.recoveryInterval());
    }

    @Test
    void hostPortAndCredentialsMakeTheConnection() {
        runner.withPropertyValues("eventbus.rabbitmq.host=rabbit-1, rabbit-2", "eventbus.rabbitmq.port=5673",
                "eventbus.rabbitmq.username=billing", "eventbus.rabbitmq.password=s3cret", "eventbus.rabbitmq.virtual-host=prod",
                "eventbus.rabbitmq.recovery-interval=500ms").run(context -> {
                    RabbitMqConnectionSettings settings = context.getBean(EventBusProperties.class).getRabbitmq().connectionSettings();
                    assertThat(settings.describeAddresses()).isEqualTo("rabbit-1:5673,rabbit-2:5673");
                    assertThat(settings.username()).isEqualTo("billing");
                    assertThat(settings.password()).isEqualTo("s3cret");
                    assertThat(settings.virtualHost()).isEqualTo("prod");
                    assertThat(settings.recoveryInterval()).isEqualTo(Duration.ofMillis(500));
                });
    }

    @Test
    void aUrlMakesTheConnection() {
        runner.withPropertyValues("eventbus.rabbitmq.url=amqps://u:p@broker.example:5671/billing").run(context -> {
            RabbitMqConnectionSettings settings = context.getBean(EventBusProperties.class).getRabbitmq().connectionSettings();
            assertThat(settings.tls()).isTrue();
            assertThat(settings.describeAddresses()).isEqualTo("broker.example:5671");
            assertThat(settings.virtualHost()).isEqualTo("billing");
        });
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
            "eventbus.organization      | ali.ce          | '.' at index 3 is not allowed",
            "eventbus.service           | ''              | the service is required",
            "eventbus.retry.max-retries | -1              | maxRetries -1 is negative",
            "eventbus.retry.delay       | 0ms             | under 1 ms",
            "eventbus.handler-threads   | 0               | must be 1 or more",
            "eventbus.stop-timeout      | -1s             | is negative",
            "eventbus.rabbitmq.prefetch | 0               | prefetch 0 must be 1 or more",
            "eventbus.rabbitmq.max-in-flight | 0          | maxInFlight 0 must be 1 or more",
            "eventbus.rabbitmq.publish-timeout | 0s       | must be positive",
            "eventbus.rabbitmq.handler-queue-ttl | 30d    | out of range",
            "eventbus.rabbitmq.url      | http://broker   | has scheme 'http'",
            "eventbus.rabbitmq.port     | 70000           | is not a TCP port",
            "eventbus.handlers.send-mail-handler.retry.max-retries | -2 | maxRetries -2 is negative",
    })
    void aBadValueFailsTheStartNamingItsKey(String key, String value, String rule) {
        runner.withPropertyValues(key + "=" + value).run(context -> {
            assertThat(context).hasFailed();
            assertThat(EventBusAutoConfigurationTest.messages(context.getStartupFailure())).contains(key + ": ").contains(rule);
        });
    }

    @Test
    void aMissingOrganizationFailsNamingTheKey() {
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(EventBusAutoConfiguration.class))
                .withPropertyValues("eventbus.transport=in-memory", "eventbus.service=billing").run(context -> {
                    assertThat(context).hasFailed();
                    assertThat(EventBusAutoConfigurationTest.messages(context.getStartupFailure()))
                            .contains("eventbus.organization: the organization is required");
                });
    }

    @Test
    void urlAndHostTogetherFailNamingBoth() {
        runner.withPropertyValues("eventbus.rabbitmq.url=amqp://localhost", "eventbus.rabbitmq.host=localhost").run(context -> {
            assertThat(context).hasFailed();
            assertThat(EventBusAutoConfigurationTest.messages(context.getStartupFailure()))
                    .contains("eventbus.rabbitmq.host: eventbus.rabbitmq.url is set too");
        });
    }

    @Test
    void theUrlsPasswordIsNotInTheError() {
        runner.withPropertyValues("eventbus.rabbitmq.url=amqp://user:hunter2@:5672").run(context -> {
            assertThat(context).hasFailed();
            String messages = EventBusAutoConfigurationTest.messages(context.getStartupFailure());
            assertThat(messages).contains("eventbus.rabbitmq.url: ");
        });
    }
}
