package dev.eventbus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.eventbus.core.EventPublisher;
import dev.eventbus.testkit.Await;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The bus's lifecycle phase against a real web server with graceful shutdown: a request still in flight when the
 * context closes can publish, because the bus stops only after the web server stopped. In memory, so no broker: the
 * order of the phases is what is tested.
 */
class WebServerShutdownOrderTest {

    static final CountDownLatch IN_FLIGHT = new CountDownLatch(1);
    static final CountDownLatch RELEASE = new CountDownLatch(1);

    @RestController
    static class Invoices {
        private final EventPublisher events;

        Invoices(EventPublisher events) {
            this.events = events;
        }

        @PostMapping("/invoices")
        String issue() throws InterruptedException {
            IN_FLIGHT.countDown();
            RELEASE.await(20, TimeUnit.SECONDS);
            events.publish(new InvoiceIssued("inv-during-shutdown"));
            return "published";
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class WebApplication {
        @org.springframework.context.annotation.Bean
        Invoices invoices(EventPublisher events) {
            return new Invoices(events);
        }
    }

    @Test
    void aRequestInFlightDuringTheGracefulShutdownCanStillPublish() throws Exception {
        ConfigurableApplicationContext context = new SpringApplicationBuilder(WebApplication.class)
                .properties("server.port=0", "server.shutdown=graceful", "eventbus.transport=in-memory",
                        "eventbus.organization=alice", "eventbus.service=billing")
                .run();
        int port = ((WebServerApplicationContext) context).getWebServer().getPort();
        SmartLifecycle gracefulShutdown = context.getBean("webServerGracefulShutdown", SmartLifecycle.class);
        assertThat(gracefulShutdown.getPhase()).isGreaterThan(EventBusLifecycle.PHASE);
        EventBusLifecycle bus = context.getBean(EventBusLifecycle.class);

        CompletableFuture<HttpResponse<String>> response = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invoices"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(IN_FLIGHT.await(10, TimeUnit.SECONDS)).as("request in flight").isTrue();

        CompletableFuture<Void> closing = CompletableFuture.runAsync(context::close);
        Await.until("the graceful shutdown under way", Duration.ofSeconds(10), () -> !gracefulShutdown.isRunning());
        assertThat(bus.isRunning()).as("the bus while requests drain").isTrue();
        RELEASE.countDown();

        HttpResponse<String> answer = response.get(20, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as("status of the request that published during the shutdown; body: " + answer.body())
                .isEqualTo(200);
        assertThat(answer.body()).isEqualTo("published");
        closing.get(20, TimeUnit.SECONDS);
        assertThat(bus.isRunning()).isFalse();
    }
}
