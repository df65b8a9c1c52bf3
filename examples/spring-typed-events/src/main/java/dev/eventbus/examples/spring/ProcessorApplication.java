package dev.eventbus.examples.spring;

import dev.eventbus.schema.JsonSchemaValidator;
import dev.eventbus.schema.SchemaRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The typed-events processor service on Spring Boot: the same service as the examples' {@code pipeline-processor} and
 * {@code pipeline-dead-letters} (service {@code processor}, handler {@code processor}, the commands
 * {@code task.created} of the service {@code distributor}), written with eventbus-spring-boot-starter. What the plain
 * example writes by hand, this one declares: the bus comes from {@code application.yml}, the handler is an
 * {@code @EventHandler} method ({@link TaskProcessor}), the JSON Schemas are a {@code MessageValidator} bean, the
 * dead-letter desk is a controller ({@link DeadLetterController}), health and the topology are Actuator's, and the bus
 * stops gracefully with the application.
 *
 * <pre>
 * ./mvnw -q -B -pl examples/spring-typed-events -am compile exec:java     # HTTP :8006, RabbitMQ on localhost
 * </pre>
 */
@SpringBootApplication
@EnableConfigurationProperties(ProcessorSettings.class)
public class ProcessorApplication {

    /** The classpath root of the service's JSON Schemas: {@code <name>/<version>.json}. */
    public static final String SCHEMAS = "eventbus/typed-events-schemas";

    /** Runs the service until it is stopped (Ctrl-C stops it gracefully). */
    public static void main(String[] args) {
        SpringApplication.run(ProcessorApplication.class, args);
    }

    /**
     * Every message is checked against its schema on publish and on consume; one without a schema is rejected. The
     * starter hands the context's {@code MessageValidator} bean to the bus.
     */
    @Bean
    JsonSchemaValidator schemaValidator() {
        return validator();
    }

    /** The validator of this service's schemas, for the bean and for tests that publish as the distributor. */
    public static JsonSchemaValidator validator() {
        return JsonSchemaValidator.builder()
                .registry(SchemaRegistry.fromClasspath(ProcessorApplication.class.getClassLoader(), SCHEMAS)).build();
    }
}
