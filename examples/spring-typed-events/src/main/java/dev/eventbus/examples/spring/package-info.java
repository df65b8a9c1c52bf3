/**
 * The typed-events processor service on Spring Boot, with eventbus-spring-boot-starter: handler method, schemas as a
 * validator bean, dead letters over HTTP, Actuator health and the eventbus endpoint.
 */
package dev.eventbus.examples.spring;
