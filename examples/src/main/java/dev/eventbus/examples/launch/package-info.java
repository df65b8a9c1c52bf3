/**
 * What the example services share: how they get their buses ({@link dev.eventbus.examples.launch.ServiceBuses}),
 * a small JSON-over-HTTP server on the JDK's {@code com.sun.net.httpserver}
 * ({@link dev.eventbus.examples.launch.JsonHttpServer}), settings from the environment
 * ({@link dev.eventbus.examples.launch.Settings}) and the launcher that runs one service or all of them until
 * Ctrl-C ({@link dev.eventbus.examples.launch.ServiceLauncher}).
 */
package dev.eventbus.examples.launch;
