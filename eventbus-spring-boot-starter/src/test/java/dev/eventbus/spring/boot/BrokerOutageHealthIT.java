package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.EventPublisher;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.testkit.Await;
import dev.eventbus.testkit.RabbitMqTest;
import dev.eventbus.testkit.TestBroker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.actuate.health.HealthComponent;
import org.springframework.boot.actuate.health.HealthEndpoint;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.actuate.health.SystemHealth;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Health follows the broker: the application's bus connects through a TCP proxy that the test stops (the broker is
 * gone for the application; the shared broker itself is never touched) and starts again. Health goes DOWN with the
 * lost connections as its problems, then UP once the client's automatic recovery reconnected, and handlers receive
 * again.
 */
@RabbitMqTest
class BrokerOutageHealthIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    @Test
    void healthGoesDownWhenTheBrokerIsUnreachableAndUpAfterRecovery(TestBroker broker) throws Exception {
        RabbitMqConnectionSettings direct = RabbitMqConnectionSettings.fromUri(broker.uri());
        RabbitMqConnectionSettings.Address target = direct.addresses().get(0);
        try (TcpProxy proxy = TcpProxy.start(target.host(), target.port());
             ConfigurableApplicationContext context = new SpringApplicationBuilder(BillingTestApplication.class)
                     .web(WebApplicationType.NONE)
                     .properties("eventbus.rabbitmq.url=" + throughProxy(direct, proxy.port()),
                             "eventbus.rabbitmq.recovery-interval=200ms", "eventbus.organization=" + broker.organization(),
                             "eventbus.service=" + broker.service(), "management.endpoint.health.show-details=always")
                     .run()) {
            HealthEndpoint health = context.getBean(HealthEndpoint.class);
            assertThat(eventbus(health).getStatus()).isEqualTo(Status.UP);
            assertThat(((SystemHealth) health.health()).getStatus()).isEqualTo(Status.UP);

            proxy.stop();
            // each connection notices the loss on its own reading thread: wait until both have
            HealthComponent down = Await.untilValue("eventbus health DOWN with both connections down", TIMEOUT,
                    () -> eventbus(health), h -> Status.DOWN.equals(h.getStatus())
                            && String.valueOf(((org.springframework.boot.actuate.health.Health) h).getDetails().get("problems"))
                            .contains("-publisher is down"));
            assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) ((org.springframework.boot.actuate.health.Health) down).getDetails().get("problems");
            assertThat(problems).anySatisfy(problem -> assertThat(problem).contains("-consumer is down"))
                    .anySatisfy(problem -> assertThat(problem).contains("-publisher is down"));

            proxy.restart();
            Await.untilValue("eventbus health UP again", TIMEOUT, () -> eventbus(health), h -> Status.UP.equals(h.getStatus()));

            Handlers.SendMailHandler sendMail = context.getBean(Handlers.SendMailHandler.class);
            context.getBean(EventPublisher.class).publish(new UserCreated("after-recovery", "Alice"));
            Await.until("send_mail_handler received after the recovery", TIMEOUT,
                    () -> sendMail.received.contains("after-recovery"), sendMail.received::toString);
        }
    }

    private static HealthComponent eventbus(HealthEndpoint health) {
        return health.healthForPath("eventbus");
    }

    private static String throughProxy(RabbitMqConnectionSettings direct, int port) {
        return new RabbitMqConnectionSettings(List.of(new RabbitMqConnectionSettings.Address("127.0.0.1", port)),
                direct.virtualHost(), direct.username(), direct.password(), false, direct.connectionName(),
                direct.connectionTimeout(), direct.recoveryInterval(), direct.heartbeat(), direct.shuffleAddresses(),
                direct.sslContext(), direct.maxInboundMessageBodySize()).toUri();
    }
}
