package dev.eventbus.spring.boot;

import dev.eventbus.core.EventBus;
import org.springframework.boot.actuate.autoconfigure.health.ConditionalOnEnabledHealthIndicator;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The {@code eventbus} health contributor ({@link EventBusHealthIndicator}), when Actuator is on the classpath and
 * {@code management.health.eventbus.enabled} is not false.
 */
@AutoConfiguration(after = EventBusAutoConfiguration.class)
@ConditionalOnClass({HealthIndicator.class, ConditionalOnEnabledHealthIndicator.class})
@ConditionalOnBean(EventBus.class)
@ConditionalOnEnabledHealthIndicator("eventbus")
public class EventBusHealthContributorAutoConfiguration {

    /** The health indicator, named {@code eventbusHealthIndicator}: the contributor {@code eventbus}. */
    @Bean(name = "eventbusHealthIndicator")
    @ConditionalOnMissingBean(name = "eventbusHealthIndicator")
    EventBusHealthIndicator eventbusHealthIndicator(EventBus eventBus) {
        return new EventBusHealthIndicator(eventBus);
    }
}
