package dev.eventbus.spring.boot;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.Delivery;
import dev.eventbus.core.DeliveryHandler;
import dev.eventbus.core.Message;
import dev.eventbus.core.Names;
import dev.eventbus.core.Subscription;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.springframework.aop.support.AopUtils;
import org.springframework.core.ResolvableType;
import org.springframework.util.ReflectionUtils;

/**
 * One {@link EventHandler} method of one bean, as a subscription: the message type from the method's first parameter
 * (the payload type, or {@code T} of {@code Message<T>}), the name from the annotation or the method. Immutable; the
 * handler it builds may be called from several handler threads at once, as the bean's method would be.
 */
final class EventHandlerMethod {

    private final String beanName;
    private final Object bean;
    private final Method method;
    private final Method invocable;
    private final Class<?> payloadType;
    private final boolean takesMessage;
    private final boolean takesDelivery;
    private final String handlerName;
    private final EventHandler annotation;

    EventHandlerMethod(String beanName, Object bean, Method method, EventHandler annotation) {
        this.beanName = beanName;
        this.bean = bean;
        this.method = method;
        this.annotation = annotation;
        int count = method.getParameterCount();
        if (count < 1 || count > 2 || count == 2 && method.getParameterTypes()[1] != Delivery.class) {
            throw invalid("takes " + count + " parameter(s) of types " + java.util.Arrays.toString(method.getParameterTypes())
                    + ": an @EventHandler method takes the payload (UserCreated) or the Message<UserCreated>, and optionally the Delivery");
        }
        if (method.getReturnType() != void.class) {
            throw invalid("returns " + method.getReturnType().getSimpleName() + ": an @EventHandler method returns void "
                    + "(publish what it produces through an EventPublisher)");
        }
        ResolvableType first = ResolvableType.forMethodParameter(method, 0);
        this.takesMessage = Message.class.equals(first.resolve());
        Class<?> type = takesMessage ? first.getGeneric(0).resolve() : first.resolve();
        if (type == null || type == Object.class || type == Delivery.class) {
            throw invalid("has no message type: its first parameter must be the payload's class or Message<ThatClass>, "
                    + "not " + first);
        }
        this.payloadType = type;
        this.takesDelivery = count == 2;
        this.handlerName = annotation.name().isEmpty() ? Names.handlerName(method.getName())
                : Names.requireHandlerName(annotation.name());
        this.invocable = AopUtils.selectInvocableMethod(method, bean.getClass());
        ReflectionUtils.makeAccessible(invocable);
    }

    /** The subscription: the method called for each message, through the bean. */
    Subscription subscription() {
        Subscription subscription = Subscription.handling(payloadType, handlerName, handler());
        if (!annotation.from().isEmpty()) {
            subscription = annotation.fromOrganization().isEmpty() ? subscription.from(annotation.from())
                    : subscription.from(annotation.fromOrganization(), annotation.from());
        } else if (!annotation.fromOrganization().isEmpty()) {
            throw invalid("names fromOrganization \"" + annotation.fromOrganization() + "\" but no from: name the service too");
        }
        return subscription;
    }

    /** Where it comes from, for errors and logs: {@code method Mailer.sendWelcomeMail of bean mailer}. */
    String describe() {
        return "method " + method.getDeclaringClass().getSimpleName() + "." + method.getName() + " of bean '" + beanName + "'";
    }

    private <T> DeliveryHandler<T> handler() {
        return (message, delivery) -> {
            Object first = takesMessage ? message : message.payload();
            Object[] arguments = takesDelivery ? new Object[] {first, delivery} : new Object[] {first};
            try {
                invocable.invoke(bean, arguments);
            } catch (InvocationTargetException e) {
                Throwable cause = e.getTargetException();
                if (cause instanceof Exception exception) {
                    throw exception;
                }
                throw (Error) cause;
            }
        };
    }

    private ConfigurationException invalid(String problem) {
        return new ConfigurationException("@EventHandler " + describe() + " " + problem);
    }
}
