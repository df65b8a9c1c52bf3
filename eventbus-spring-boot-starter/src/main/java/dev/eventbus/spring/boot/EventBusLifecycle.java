package dev.eventbus.spring.boot;

import dev.eventbus.core.EventBus;
import dev.eventbus.core.EventBusStoppedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.web.context.WebServerGracefulShutdownLifecycle;
import org.springframework.context.SmartLifecycle;

/**
 * Starts the bus with the application context and stops it with the context: a {@link SmartLifecycle} in phase
 * {@link #PHASE}.
 *
 * <p><b>Start.</b> Once every singleton exists and the handler beans are subscribed, the context starts its lifecycle
 * beans in ascending phase order: this one declares the bus's topology ({@code eventbus.configure-on-start}, default
 * true, idempotent) and starts consuming, before the web server starts taking requests (so a service is consuming when
 * it reports ready) and before {@code ApplicationRunner}s run. A broker that cannot be reached fails the start.
 *
 * <p><b>Stop, and why this phase.</b> The context stops lifecycle beans in descending phase order. Spring Boot's web
 * server stops in two steps: in {@link WebServerGracefulShutdownLifecycle#SMART_LIFECYCLE_PHASE} it stops taking
 * requests and lets those in flight finish ({@code server.shutdown=graceful}), then, 1024 lower, the server stops.
 * The bus stops after both, {@value #PHASE_BELOW_GRACEFUL_SHUTDOWN} below the graceful shutdown phase: a request still
 * in flight during the graceful shutdown can publish (the bus is up), and once no request is left the bus cancels its
 * consumers, lets running handlers finish (up to {@code eventbus.stop-timeout}) and acknowledges them, returns the
 * messages not started to their queues, and closes its connections. Handlers running meanwhile can publish too: the bus
 * closes its publishing connection last. Beans with a higher phase than this one (most of an application's
 * {@code SmartLifecycle}s use the default, {@code Integer.MAX_VALUE}) stop before the bus; beans the handlers use are
 * destroyed only after every lifecycle bean stopped.
 *
 * <p>{@link #stop()} blocks the closing thread until the bus stopped, which {@code eventbus.stop-timeout} (default
 * 30 s) bounds; keep it under {@code spring.lifecycle.timeout-per-shutdown-phase}. A stopped bus cannot start again:
 * {@link #start()} after {@link #stop()} throws. Thread-safe.
 */
public final class EventBusLifecycle implements SmartLifecycle {

    /** How far below the web server's graceful shutdown phase the bus starts and stops. */
    public static final int PHASE_BELOW_GRACEFUL_SHUTDOWN = 3072;

    /**
     * The bus's phase: {@code WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - 3072}, that is
     * {@code Integer.MAX_VALUE - 4096}: below the web server's graceful shutdown and its start and stop.
     */
    public static final int PHASE = WebServerGracefulShutdownLifecycle.SMART_LIFECYCLE_PHASE - PHASE_BELOW_GRACEFUL_SHUTDOWN;

    private static final Logger log = LoggerFactory.getLogger(EventBusLifecycle.class);

    private final EventBus bus;
    private final boolean autoStartup;
    private final boolean configureOnStart;
    private final Object lock = new Object();
    private boolean running;
    private boolean stopped;

    /**
     * A lifecycle for a bus.
     *
     * @param autoStartup      whether the context starts it ({@code eventbus.auto-startup})
     * @param configureOnStart whether {@link #start()} declares the topology first ({@code eventbus.configure-on-start})
     */
    public EventBusLifecycle(EventBus bus, boolean autoStartup, boolean configureOnStart) {
        this.bus = bus;
        this.autoStartup = autoStartup;
        this.configureOnStart = configureOnStart;
    }

    /**
     * Declares the topology (if configured to) and starts consuming. Blocks while the broker answers. Idempotent.
     *
     * @throws dev.eventbus.core.EventBusException if the broker cannot be reached or has conflicting queues
     * @throws EventBusStoppedException            after {@link #stop()}
     */
    @Override
    public void start() {
        synchronized (lock) {
            if (running) {
                return;
            }
            if (stopped) {
                throw new EventBusStoppedException("the event bus was stopped with the application context and cannot start "
                        + "again: a stopped bus stays stopped; refresh a new context (or pause and resume handlers instead)");
            }
            if (configureOnStart) {
                bus.admin().configure();
            }
            bus.start();
            running = true;
            log.info("Event bus started");
        }
    }

    /** Stops the bus: running handlers finish first (see the class description). Idempotent. */
    @Override
    public void stop() {
        synchronized (lock) {
            if (stopped) {
                return;
            }
            stopped = true;
            running = false;
        }
        bus.stop();
    }

    @Override
    public boolean isRunning() {
        synchronized (lock) {
            return running;
        }
    }

    @Override
    public boolean isAutoStartup() {
        return autoStartup;
    }

    /** {@link #PHASE}. */
    @Override
    public int getPhase() {
        return PHASE;
    }
}
