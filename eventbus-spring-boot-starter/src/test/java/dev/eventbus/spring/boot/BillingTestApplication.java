package dev.eventbus.spring.boot;

import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;

/**
 * The application the Spring Boot tests start: the auto-configurations and the test's handler beans. No component scan,
 * so the test classes' own configurations stay out.
 */
@SpringBootConfiguration
@EnableAutoConfiguration
@Import(Handlers.class)
class BillingTestApplication {
}
