package dev.eventbus.spring.boot;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.DeliveryHandler;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.Names;
import dev.eventbus.core.Subscription;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.framework.autoproxy.AutoProxyUtils;
import org.springframework.aop.scope.ScopedProxyUtils;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.annotation.AnnotationUtils;
import org.springframework.util.ClassUtils;

/**
 * Finds the application's handlers among its singleton beans once they are all created, and subscribes them to the
 * bus before it starts:
 * <ul>
 *   <li>{@link Subscription} beans, as they are;</li>
 *   <li>{@link MessageHandler} and {@link DeliveryHandler} beans: the message type is the type argument the bean's class
 *       (or, for a lambda, its {@code @Bean} method's return type) gives {@code MessageHandler<T>}, resolved with
 *       Spring's {@link ResolvableType}; the name is the one {@link Names#handlerName(Class)} derives from the class
 *       ({@code SendMailHandler} -> {@code send_mail_handler}), or for a lambda or anonymous class the bean name in
 *       snake_case ({@code @Bean sendMail()} -> {@code send_mail});</li>
 *   <li>{@link EventHandler} methods of any bean (see {@link EventHandlerMethod}).</li>
 * </ul>
 * Then each handler named under {@code eventbus.handlers} gets its retry policy, and a name there that no handler has
 * fails the start. Subscribing after every singleton exists (not while creating the bus) lets handlers depend on the
 * {@link dev.eventbus.core.EventPublisher} they publish through.
 *
 * <p>Runs once, on the thread that refreshes the context.
 */
final class HandlerBeans implements SmartInitializingSingleton {

    private static final Logger log = LoggerFactory.getLogger(HandlerBeans.class);

    private final EventBus bus;
    private final EventBusProperties properties;
    private final ConfigurableListableBeanFactory beanFactory;

    HandlerBeans(EventBus bus, EventBusProperties properties, ConfigurableListableBeanFactory beanFactory) {
        this.bus = bus;
        this.properties = properties;
        this.beanFactory = beanFactory;
    }

    /**
     * Subscribes every handler found.
     *
     * @throws ConfigurationException if a handler's type cannot be resolved, two handlers share a name, or a key of
     *                                {@code eventbus.handlers} names no handler
     */
    @Override
    public void afterSingletonsInstantiated() {
        Map<String, Found> found = new LinkedHashMap<>();
        beanFactory.getBeansOfType(Subscription.class, false, true)
                .forEach((name, subscription) -> add(found, new Found(subscription, "Subscription bean '" + name + "'")));
        for (String name : beanFactory.getBeanNamesForType(MessageHandler.class, false, true)) {
            add(found, handlerBean(name, MessageHandler.class));
        }
        for (String name : beanFactory.getBeanNamesForType(DeliveryHandler.class, false, true)) {
            add(found, handlerBean(name, DeliveryHandler.class));
        }
        for (String name : beanFactory.getBeanNamesForType(Object.class, false, true)) {
            handlerMethods(name).forEach(method -> add(found, method));
        }
        Map<String, Found> withRetries = applyRetries(found);
        withRetries.values().forEach(handler -> bus.subscribe(handler.subscription()));
        if (!withRetries.isEmpty()) {
            log.info("Subscribed {} handler(s) to the event bus: {}", withRetries.size(), withRetries.keySet());
        }
    }

    private static void add(Map<String, Found> found, Found handler) {
        Found before = found.putIfAbsent(handler.subscription().handlerName(), handler);
        if (before != null) {
            throw new ConfigurationException("two handlers are named '" + handler.subscription().handlerName() + "': "
                    + before.source() + " and " + handler.source() + "; each handler needs a name of its own (it names its "
                    + "queue): rename one, or name it with @EventHandler(name = \"...\") or a Subscription bean");
        }
    }

    private Found handlerBean(String beanName, Class<?> role) {
        Object bean = beanFactory.getBean(beanName);
        Class<?> beanClass = ClassUtils.getUserClass(bean);
        String source = role.getSimpleName() + " bean '" + beanName + "' (" + beanClass.getName() + ")";
        Class<?> type = ResolvableType.forClass(beanClass).as(role).getGeneric(0).resolve();
        if (type == null || type == Object.class) {
            type = declaredType(beanName).as(role).getGeneric(0).resolve();
        }
        if (type == null || type == Object.class) {
            throw new ConfigurationException(source + " handles no resolvable message type: implement " + role.getSimpleName()
                    + "<UserCreated> in a class of its own, declare the @Bean method as returning " + role.getSimpleName()
                    + "<UserCreated>, or declare a Subscription bean");
        }
        String handlerName = derivedName(beanClass, beanName);
        try {
            return new Found(subscribe(type, handlerName, bean), source);
        } catch (ConfigurationException e) {
            throw new ConfigurationException(source + ": " + e.getMessage(), e);
        }
    }

    /** The class's derived name; a lambda or anonymous class has none, so its bean's name in snake_case. */
    private static String derivedName(Class<?> beanClass, String beanName) {
        try {
            return Names.handlerName(beanClass);
        } catch (ConfigurationException lambda) {
            return Names.handlerName(beanName);
        }
    }

    private ResolvableType declaredType(String beanName) {
        return beanFactory.containsBeanDefinition(beanName)
                ? beanFactory.getMergedBeanDefinition(beanName).getResolvableType() : ResolvableType.forClass(Object.class);
    }

    private List<Found> handlerMethods(String beanName) {
        if (ScopedProxyUtils.isScopedTarget(beanName)) {
            return List.of();
        }
        Class<?> type = AutoProxyUtils.determineTargetClass(beanFactory, beanName);
        if (type == null || !AnnotationUtils.isCandidateClass(type, EventHandler.class)) {
            return List.of();
        }
        Map<Method, EventHandler> methods = MethodIntrospector.selectMethods(ClassUtils.getUserClass(type),
                (MethodIntrospector.MetadataLookup<EventHandler>) method ->
                        AnnotatedElementUtils.findMergedAnnotation(method, EventHandler.class));
        if (methods.isEmpty()) {
            return List.of();
        }
        Object bean = beanFactory.getBean(beanName);
        List<Found> found = new ArrayList<>();
        methods.entrySet().stream().sorted(Map.Entry.comparingByKey(java.util.Comparator.comparing(Method::getName)))
                .forEach(entry -> {
                    EventHandlerMethod method = new EventHandlerMethod(beanName, bean, entry.getKey(), entry.getValue());
                    found.add(new Found(method.subscription(), method.describe()));
                });
        return found;
    }

    /** The handlers, with the retry policies of {@code eventbus.handlers}; fails on a key that names no handler. */
    private Map<String, Found> applyRetries(Map<String, Found> found) {
        Map<String, Found> result = new LinkedHashMap<>(found);
        properties.getHandlers().forEach((key, settings) -> {
            String name = EventBusProperties.handlerName(key);
            Found handler = result.get(name);
            if (handler == null) {
                throw new ConfigurationException("eventbus.handlers." + key + " names no handler: the handlers are "
                        + result.keySet() + "; write a handler's name as it is (send_mail_handler) or with dashes for its "
                        + "underscores (send-mail-handler)");
            }
            result.put(name, new Found(handler.subscription().withRetry(properties.retryPolicy(settings)), handler.source()));
        });
        return result;
    }

    /** A handler bean's subscription; the type was resolved from the bean's own generics, so the casts hold. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Subscription subscribe(Class<?> type, String handlerName, Object bean) {
        return bean instanceof MessageHandler handler ? Subscription.of((Class) type, handlerName, handler)
                : Subscription.handling((Class) type, handlerName, (DeliveryHandler) bean);
    }

    /** A subscription and where it came from, for errors. */
    private record Found(Subscription subscription, String source) {
    }

    @Override
    public String toString() {
        return "HandlerBeans[" + bus + "]";
    }
}
