package dev.eventbus.spring.boot;

import dev.eventbus.core.EventBusException;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.NameStyle;
import dev.eventbus.core.Names;
import dev.eventbus.core.RetryPolicy;
import dev.eventbus.rabbitmq.QueueType;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DataObjectPropertyName;
import org.springframework.validation.Errors;
import org.springframework.validation.Validator;
import org.springframework.validation.annotation.Validated;

/**
 * The bus's settings under {@code eventbus.*}: every setting of {@link RabbitMqEventBusBuilder} and
 * {@link dev.eventbus.core.InMemoryEventBusBuilder}, with the builders' defaults. {@code eventbus.organization} and
 * {@code eventbus.service} are required.
 *
 * <pre>
 * eventbus:
 *   organization: alice
 *   service: billing
 *   retry: { max-retries: 5, delay: 5s }
 *   handlers:
 *     send-mail-handler:            # the handler send_mail_handler (send_mail_handler works too)
 *       retry: { max-retries: 2, delay: 500ms }
 *   rabbitmq:
 *     url: amqp://guest:guest@localhost:5672/
 *     prefetch: 50
 * </pre>
 *
 * <p><b>Validation.</b> The values are checked when they are bound, by the same rules the builders apply (this class
 * is its own {@link Validator}, so no Bean Validation provider is needed): a bad value fails the application's start
 * with an error that names the key ({@code eventbus.rabbitmq.prefetch}) and the rule. Handler names under
 * {@code eventbus.handlers} are checked against the subscribed handlers when they are subscribed.
 *
 * <p>A mutable JavaBean, as Spring Boot binds it; read it only after binding.
 */
@ConfigurationProperties("eventbus")
@Validated
public class EventBusProperties implements Validator {

    /** Which bus the auto-configuration builds. */
    public enum Transport {
        /** {@link RabbitMqEventBus}: a broker. */
        RABBITMQ,
        /** {@link InMemoryEventBus}: in this JVM, no broker; for tests and local runs. Written {@code in-memory}. */
        IN_MEMORY
    }

    /** Which bus to build: rabbitmq, or in-memory for the in-memory bus (no broker: tests, local runs). */
    private Transport transport = Transport.RABBITMQ;

    /**
     * The organization, e.g. alice: the first part of every exchange, routing key and queue name. Required.
     */
    private @Nullable String organization;

    /** The service, e.g. billing: the second part of every exchange, routing key and queue name. Required. */
    private @Nullable String service;

    /**
     * How message names are written in routing keys and queue names: underscores, as petisco writes them
     * (alice.billing.1.event.user_created), or dots.
     */
    private NameStyle nameStyle = NameStyle.UNDERSCORES;

    /**
     * Whether the bus starts with the application context. With false, start the EventBusLifecycle bean yourself.
     */
    private boolean autoStartup = true;

    /**
     * Whether the bus declares its exchanges, queues and bindings (idempotent) before it starts. Turn it off where
     * a deployment step declares them.
     */
    private boolean configureOnStart = true;

    /**
     * Threads running handlers. Default: the transport's, 4 on RabbitMQ, 1 in memory; 1 keeps each queue's order.
     */
    private @Nullable Integer handlerThreads;

    /**
     * How long stopping the bus waits for running handlers to finish when the application context closes. Keep it
     * under spring.lifecycle.timeout-per-shutdown-phase (30 s by default).
     */
    private Duration stopTimeout = Duration.ofSeconds(30);

    /** The retry policy of handlers that have none of their own under eventbus.handlers. */
    private final Retry retry = new Retry();

    /**
     * Settings per handler, by handler name: eventbus.handlers.send_mail_handler.retry.max-retries. The name may
     * be written with dashes for its underscores (send-mail-handler is send_mail_handler), as Spring Boot's own keys are.
     */
    private final Map<String, Handler> handlers = new LinkedHashMap<>();

    /** The RabbitMQ transport's settings. */
    private final RabbitMq rabbitmq = new RabbitMq();

    public Transport getTransport() {
        return transport;
    }

    public void setTransport(Transport transport) {
        this.transport = transport;
    }

    public @Nullable String getOrganization() {
        return organization;
    }

    public void setOrganization(@Nullable String organization) {
        this.organization = organization;
    }

    public @Nullable String getService() {
        return service;
    }

    public void setService(@Nullable String service) {
        this.service = service;
    }

    public NameStyle getNameStyle() {
        return nameStyle;
    }

    public void setNameStyle(NameStyle nameStyle) {
        this.nameStyle = nameStyle;
    }

    public boolean isAutoStartup() {
        return autoStartup;
    }

    public void setAutoStartup(boolean autoStartup) {
        this.autoStartup = autoStartup;
    }

    public boolean isConfigureOnStart() {
        return configureOnStart;
    }

    public void setConfigureOnStart(boolean configureOnStart) {
        this.configureOnStart = configureOnStart;
    }

    public @Nullable Integer getHandlerThreads() {
        return handlerThreads;
    }

    public void setHandlerThreads(@Nullable Integer handlerThreads) {
        this.handlerThreads = handlerThreads;
    }

    public Duration getStopTimeout() {
        return stopTimeout;
    }

    public void setStopTimeout(Duration stopTimeout) {
        this.stopTimeout = stopTimeout;
    }

    public Retry getRetry() {
        return retry;
    }

    public Map<String, Handler> getHandlers() {
        return handlers;
    }

    public RabbitMq getRabbitmq() {
        return rabbitmq;
    }

    /** The default retry policy, from {@code eventbus.retry}. */
    public RetryPolicy retryPolicy() {
        return RetryPolicy.of(retry.getMaxRetries(), retry.getDelay());
    }

    /**
     * The retry policy of one handler from {@code eventbus.handlers.<key>.retry}: each value it leaves out is the
     * default policy's.
     */
    public RetryPolicy retryPolicy(Handler handler) {
        HandlerRetry own = handler.getRetry();
        Integer maxRetries = own.getMaxRetries();
        Duration delay = own.getDelay();
        return RetryPolicy.of(maxRetries != null ? maxRetries : retry.getMaxRetries(), delay != null ? delay : retry.getDelay());
    }

    /** The handler name a key of {@code eventbus.handlers} stands for: dashes are underscores. */
    public static String handlerName(String key) {
        return key.replace('-', '_');
    }

    // ---------------------------------------------------------------- validation

    /** Validates this class only. */
    @Override
    public boolean supports(Class<?> type) {
        return EventBusProperties.class.isAssignableFrom(type);
    }

    /**
     * Checks every value by the rules of the builders; each error is on the field of its key
     * ({@code rabbitmq.prefetch} for {@code eventbus.rabbitmq.prefetch}) with the builder's message.
     */
    @Override
    public void validate(Object target, Errors errors) {
        EventBusProperties properties = (EventBusProperties) target;
        properties.validateNames(errors);
        validateRetry(errors, "retry", properties.retry.getMaxRetries(), properties.retry.getDelay());
        properties.handlers.forEach((key, handler) -> {
            check(errors, "handlers[" + key + "]", () -> Names.requireHandlerName(handlerName(key)));
            validateRetry(errors, "handlers[" + key + "].retry", handler.getRetry().getMaxRetries(), handler.getRetry().getDelay());
        });
        Integer threads = properties.handlerThreads;
        if (threads != null && threads < 1) {
            reject(errors, "handlerThreads", "handler-threads " + threads
                    + " must be 1 or more: handlers need a thread to run on");
        }
        check(errors, "stopTimeout", () -> InMemoryEventBus.builder().stopTimeout(properties.stopTimeout));
        properties.rabbitmq.validate(errors);
    }

    private void validateNames(Errors errors) {
        String organization = this.organization;
        String service = this.service;
        if (organization == null || organization.isBlank()) {
            reject(errors, "organization", "the organization is required, e.g. "
                    + "eventbus.organization=alice: it is the first part of every exchange, routing key and queue name");
        } else {
            check(errors, "organization", () -> Names.requireScopePart(organization, "organization"));
        }
        if (service == null || service.isBlank()) {
            reject(errors, "service", "the service is required, e.g. eventbus.service=billing: "
                    + "it is the second part of every exchange, routing key and queue name");
        } else {
            check(errors, "service", () -> Names.requireScopePart(service, "service"));
        }
    }

    private static void validateRetry(Errors errors, String prefix, @Nullable Integer maxRetries, @Nullable Duration delay) {
        if (maxRetries != null) {
            check(errors, prefix + ".maxRetries", () -> RetryPolicy.of(maxRetries, Duration.ofSeconds(5)));
        }
        if (delay != null) {
            check(errors, prefix + ".delay", () -> RetryPolicy.of(0, delay));
        }
    }

    /** Runs one builder check; its exception's message becomes the error of the field. */
    static void check(Errors errors, String field, Supplier<?> check) {
        try {
            check.get();
        } catch (EventBusException | IllegalArgumentException e) {
            reject(errors, field, String.valueOf(e.getMessage()));
        }
    }

    /**
     * Rejects a field with a message that starts with its key as written in application properties
     * ({@code eventbus.rabbitmq.max-in-flight: ...}), whichever way the error is printed.
     */
    static void reject(Errors errors, String field, String message) {
        String key = "eventbus." + DataObjectPropertyName.toDashedForm(field).replaceAll("\\[([a-z0-9-]+)]", ".$1");
        errors.rejectValue(field, "eventbus.invalid", key + ": " + message);
    }

    // ---------------------------------------------------------------- nested settings

    /** A retry policy: how often a failed message is retried and how long it waits between attempts. */
    public static class Retry {

        /** Retries after the first attempt; after the last the message is dead-lettered. 0 for none. */
        private int maxRetries = 5;

        /** Wait before each retry, at least 1 ms (on RabbitMQ the retry queue's x-message-ttl). */
        private Duration delay = Duration.ofSeconds(5);

        public int getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
        }

        public Duration getDelay() {
            return delay;
        }

        public void setDelay(Duration delay) {
            this.delay = delay;
        }
    }

    /** Settings of one handler. */
    public static class Handler {

        /** The handler's own retry policy; what it leaves out is eventbus.retry's. */
        private final HandlerRetry retry = new HandlerRetry();

        public HandlerRetry getRetry() {
            return retry;
        }
    }

    /** A handler's own retry policy; a value left out is the default policy's. */
    public static class HandlerRetry {

        /** Retries after the first attempt. Default: eventbus.retry.max-retries. */
        private @Nullable Integer maxRetries;

        /** Wait before each retry. Default: eventbus.retry.delay. */
        private @Nullable Duration delay;

        public @Nullable Integer getMaxRetries() {
            return maxRetries;
        }

        public void setMaxRetries(@Nullable Integer maxRetries) {
            this.maxRetries = maxRetries;
        }

        public @Nullable Duration getDelay() {
            return delay;
        }

        public void setDelay(@Nullable Duration delay) {
            this.delay = delay;
        }
    }

    /** The RabbitMQ transport's settings, {@code eventbus.rabbitmq.*}. */
    public static class RabbitMq {

        /**
         * Where to connect, as an AMQP URI: amqp://user:pass@host:5672/vhost, amqps:// for TLS, several hosts as
         * amqp://user:pass@h1:5672,h2:5672/vhost. Default: the environment, EVENTBUS_RABBITMQ_URL, else petisco's
         * RABBITMQ_HOST, RABBITMQ_PORT, RABBITMQ_USER, RABBITMQ_PASSWORD and RABBITMQ_VHOST, else
         * amqp://guest:guest@localhost:5672/. Not together with host.
         */
        private @Nullable String url;

        /** The broker host, or several separated by commas (a cluster); instead of url. */
        private @Nullable String host;

        /** The port of every host. Default: 5672, or 5671 with tls. */
        private @Nullable Integer port;

        /** The user, with host. */
        private String username = "guest";

        /** The password, with host. Never logged. */
        private String password = "guest";

        /** The virtual host, with host. */
        private String virtualHost = "/";

        /** Whether to use TLS, with host (the server's certificate and host name are verified). */
        private boolean tls = false;

        /**
         * The client-provided name prefix of the bus's two connections, <name>-publisher and <name>-consumer.
         * Default: <organization>.<service>.
         */
        private @Nullable String connectionName;

        /** How long to wait for a TCP connection and the AMQP handshake, per address. */
        private Duration connectionTimeout = Duration.ofSeconds(10);

        /** Wait between automatic recovery attempts after a connection is lost. */
        private Duration recoveryInterval = Duration.ofSeconds(2);

        /** Unacknowledged messages per queue consumer (basic.qos). */
        private int prefetch = 50;

        /** Classic or quorum queues. */
        private QueueType queueType = QueueType.CLASSIC;

        /** x-delivery-limit of quorum handler queues. */
        private int quorumDeliveryLimit = 10;

        /**
         * x-message-ttl of handler queues: 5 s, as petisco declares them, so that a Java and a petisco service can
         * share a queue. 0 for none: a fleet of Java services only should set 0, or messages nobody consumes
         * within the TTL are dead-lettered.
         */
        private Duration handlerQueueTtl = Duration.ofSeconds(5);

        /** Whether configure also declares the vhost's shared store queues (always with a store subscription). */
        private boolean declareStore = false;

        /** TTL of the vhost-wide retry.store queue; every service of the vhost must use the same. */
        private Duration storeRetryDelay = Duration.ofSeconds(5);

        /** x-message-ttl of the vhost-wide store queue, as petisco declares it; 0 for none. */
        private Duration storeQueueTtl = Duration.ofSeconds(5);

        /** Unconfirmed messages in flight at most, across publishing threads. */
        private int maxInFlight = 100;

        /** Channels publishing in parallel, one thread at a time each. */
        private int publisherChannels = 4;

        /**
         * How long a blocking publish waits for its confirm, for a lost connection, or for a broker alarm to
         * clear.
         */
        private Duration publishTimeout = Duration.ofSeconds(30);

        /**
         * Whether publishing a message no queue is bound for fails (published mandatory); false drops it silently.
         */
        private boolean failOnUnroutable = true;

        /** Message classes to decode besides those of the handlers (e.g. to read dead letters of other types). */
        private List<Class<?>> registerTypes = new ArrayList<>();

        /**
         * The connection settings: {@link #getUrl() url}, else {@link #getHost() host} and the values that go with it,
         * else the environment's; with the connection timeout and recovery interval.
         *
         * @throws dev.eventbus.core.ConfigurationException if the url or host is not valid
         */
        public RabbitMqConnectionSettings connectionSettings() {
            String url = this.url;
            String host = this.host;
            RabbitMqConnectionSettings base;
            if (url != null && !url.isBlank()) {
                base = RabbitMqConnectionSettings.fromUri(url.trim());
            } else if (host != null && !host.isBlank()) {
                Integer port = this.port;
                int everyPort = port != null ? port : tls ? 5671 : 5672;
                List<RabbitMqConnectionSettings.Address> addresses = new ArrayList<>();
                for (String one : host.split(",")) {
                    addresses.add(new RabbitMqConnectionSettings.Address(one.trim(), everyPort));
                }
                base = new RabbitMqConnectionSettings(addresses, virtualHost, username, password, tls, "eventbus",
                        connectionTimeout, recoveryInterval, RabbitMqConnectionSettings.DEFAULT_HEARTBEAT, true, null,
                        RabbitMqConnectionSettings.DEFAULT_MAX_INBOUND_MESSAGE_BODY_SIZE);
            } else {
                base = RabbitMqConnectionSettings.fromEnvironment();
            }
            return new RabbitMqConnectionSettings(base.addresses(), base.virtualHost(), base.username(), base.password(),
                    base.tls(), base.connectionName(), connectionTimeout, recoveryInterval, base.heartbeat(),
                    base.shuffleAddresses(), base.sslContext(), base.maxInboundMessageBodySize());
        }

        /** Applies every setting but the connection, the names and the shared ones to a builder. */
        void applyTo(RabbitMqEventBusBuilder builder) {
            builder.prefetch(prefetch)
                    .queueType(queueType)
                    .quorumDeliveryLimit(quorumDeliveryLimit)
                    .handlerQueueTtl(noneIfZero(handlerQueueTtl))
                    .declareStore(declareStore)
                    .storeRetryDelay(storeRetryDelay)
                    .storeQueueTtl(noneIfZero(storeQueueTtl))
                    .maxInFlight(maxInFlight)
                    .publisherChannels(publisherChannels)
                    .publishTimeout(publishTimeout)
                    .failOnUnroutable(failOnUnroutable)
                    .register(registerTypes.toArray(Class<?>[]::new));
            String name = connectionName;
            if (name != null) {
                builder.connectionName(name);
            }
        }

        private static @Nullable Duration noneIfZero(Duration ttl) {
            return ttl.isZero() ? null : ttl;
        }

        void validate(Errors errors) {
            String url = this.url;
            String host = this.host;
            Integer port = this.port;
            boolean hasUrl = url != null && !url.isBlank();
            boolean hasHost = host != null && !host.isBlank();
            if (hasUrl && hasHost) {
                reject(errors, "rabbitmq.host", "eventbus.rabbitmq.url is set too: give the broker as a URL, or as "
                        + "host, port, username, password and virtual-host, not both");
            }
            if (hasUrl) {
                check(errors, "rabbitmq.url", () -> RabbitMqConnectionSettings.fromUri(url.trim()));
            }
            if (port != null && (port < 1 || port > 65535)) {
                reject(errors, "rabbitmq.port", "port " + port + " is not a TCP port (1-65535)");
            } else if (hasHost && !hasUrl) {
                check(errors, "rabbitmq.host", this::connectionSettings);
            }
            positive(errors, "rabbitmq.connectionTimeout", connectionTimeout);
            positive(errors, "rabbitmq.recoveryInterval", recoveryInterval);
            RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder();
            check(errors, "rabbitmq.prefetch", () -> builder.prefetch(prefetch));
            check(errors, "rabbitmq.quorumDeliveryLimit", () -> builder.quorumDeliveryLimit(quorumDeliveryLimit));
            check(errors, "rabbitmq.handlerQueueTtl", () -> builder.handlerQueueTtl(noneIfZero(handlerQueueTtl)));
            check(errors, "rabbitmq.storeRetryDelay", () -> builder.storeRetryDelay(storeRetryDelay));
            check(errors, "rabbitmq.storeQueueTtl", () -> builder.storeQueueTtl(noneIfZero(storeQueueTtl)));
            check(errors, "rabbitmq.maxInFlight", () -> builder.maxInFlight(maxInFlight));
            check(errors, "rabbitmq.publisherChannels", () -> builder.publisherChannels(publisherChannels));
            check(errors, "rabbitmq.publishTimeout", () -> builder.publishTimeout(publishTimeout));
            check(errors, "rabbitmq.registerTypes", () -> builder.register(registerTypes.toArray(Class<?>[]::new)));
        }

        private static void positive(Errors errors, String field, Duration value) {
            if (value.isNegative() || value.isZero()) {
                reject(errors, field, value + " must be positive");
            }
        }

        public @Nullable String getUrl() {
            return url;
        }

        public void setUrl(@Nullable String url) {
            this.url = url;
        }

        public @Nullable String getHost() {
            return host;
        }

        public void setHost(@Nullable String host) {
            this.host = host;
        }

        public @Nullable Integer getPort() {
            return port;
        }

        public void setPort(@Nullable Integer port) {
            this.port = port;
        }

        public String getUsername() {
            return username;
        }

        public void setUsername(String username) {
            this.username = username;
        }

        public String getPassword() {
            return password;
        }

        public void setPassword(String password) {
            this.password = password;
        }

        public String getVirtualHost() {
            return virtualHost;
        }

        public void setVirtualHost(String virtualHost) {
            this.virtualHost = virtualHost;
        }

        public boolean isTls() {
            return tls;
        }

        public void setTls(boolean tls) {
            this.tls = tls;
        }

        public @Nullable String getConnectionName() {
            return connectionName;
        }

        public void setConnectionName(@Nullable String connectionName) {
            this.connectionName = connectionName;
        }

        public Duration getConnectionTimeout() {
            return connectionTimeout;
        }

        public void setConnectionTimeout(Duration connectionTimeout) {
            this.connectionTimeout = connectionTimeout;
        }

        public Duration getRecoveryInterval() {
            return recoveryInterval;
        }

        public void setRecoveryInterval(Duration recoveryInterval) {
            this.recoveryInterval = recoveryInterval;
        }

        public int getPrefetch() {
            return prefetch;
        }

        public void setPrefetch(int prefetch) {
            this.prefetch = prefetch;
        }

        public QueueType getQueueType() {
            return queueType;
        }

        public void setQueueType(QueueType queueType) {
            this.queueType = queueType;
        }

        public int getQuorumDeliveryLimit() {
            return quorumDeliveryLimit;
        }

        public void setQuorumDeliveryLimit(int quorumDeliveryLimit) {
            this.quorumDeliveryLimit = quorumDeliveryLimit;
        }

        public Duration getHandlerQueueTtl() {
            return handlerQueueTtl;
        }

        public void setHandlerQueueTtl(Duration handlerQueueTtl) {
            this.handlerQueueTtl = handlerQueueTtl;
        }

        public boolean isDeclareStore() {
            return declareStore;
        }

        public void setDeclareStore(boolean declareStore) {
            this.declareStore = declareStore;
        }

        public Duration getStoreRetryDelay() {
            return storeRetryDelay;
        }

        public void setStoreRetryDelay(Duration storeRetryDelay) {
            this.storeRetryDelay = storeRetryDelay;
        }

        public Duration getStoreQueueTtl() {
            return storeQueueTtl;
        }

        public void setStoreQueueTtl(Duration storeQueueTtl) {
            this.storeQueueTtl = storeQueueTtl;
        }

        public int getMaxInFlight() {
            return maxInFlight;
        }

        public void setMaxInFlight(int maxInFlight) {
            this.maxInFlight = maxInFlight;
        }

        public int getPublisherChannels() {
            return publisherChannels;
        }

        public void setPublisherChannels(int publisherChannels) {
            this.publisherChannels = publisherChannels;
        }

        public Duration getPublishTimeout() {
            return publishTimeout;
        }

        public void setPublishTimeout(Duration publishTimeout) {
            this.publishTimeout = publishTimeout;
        }

        public boolean isFailOnUnroutable() {
            return failOnUnroutable;
        }

        public void setFailOnUnroutable(boolean failOnUnroutable) {
            this.failOnUnroutable = failOnUnroutable;
        }

        public List<Class<?>> getRegisterTypes() {
            return registerTypes;
        }

        public void setRegisterTypes(List<Class<?>> registerTypes) {
            this.registerTypes = registerTypes;
        }
    }
}
