package dev.eventbus.spring.boot;

import dev.eventbus.core.EventBus;
import org.springframework.boot.actuate.autoconfigure.endpoint.condition.ConditionalOnAvailableEndpoint;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code eventbus} Actuator endpoint ({@link EventBusEndpoint}), when Actuator is on the classpath and the endpoint
 * is available (enabled and exposed: {@code management.endpoints.web.exposure.include=health,eventbus}).
 */
@AutoConfiguration(after = EventBusAutoConfiguration.class)
@ConditionalOnClass({Endpoint.class, ConditionalOnAvailableEndpoint.class})
@ConditionalOnBean(EventBus.class)
@ConditionalOnAvailableEndpoint(EventBusEndpoint.class)
public class EventBusEndpointAutoConfiguration {

    /** The endpoint. */
    @Bean
    @ConditionalOnMissingBean
    EventBusEndpoint eventBusEndpoint(EventBus eventBus, EventBusProperties properties) {
        return new EventBusEndpoint(eventBus, properties);
    }
}
