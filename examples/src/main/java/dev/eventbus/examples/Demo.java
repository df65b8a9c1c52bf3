package dev.eventbus.examples;

import dev.eventbus.core.DeadLetter;
import dev.eventbus.core.EventBus;
import dev.eventbus.core.InMemoryEventBus;
import dev.eventbus.core.MessageType;
import dev.eventbus.core.Subscription;
import dev.eventbus.rabbitmq.BrokerUnavailableException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * configure, consume and publish in one process, printing what happens: five users are created; Alice and Bob
 * are greeted at once, Rita after one retry, Mallory is dead-lettered after every retry failed, and the user
 * without a name is dead-lettered at once. Uses RabbitMQ when one is reachable (as the environment says, default
 * localhost:5672), else the in-memory bus, and says which. Cleans up what it declared.
 */
public final class Demo {

    private static final List<String> NAMES = List.of("Alice", "Bob", "Rita", "Mallory", "");
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private Demo() {
    }

    /** Runs the demo; exits non-zero if the outcome is not the expected one. */
    public static void main(String[] args) throws InterruptedException {
        if (!run(RabbitMqConnectionSettings.fromEnvironment())) {
            System.exit(1);
        }
    }

    /** Runs the demo on the broker the settings name (else in memory), printing what happens; true if as expected. */
    static boolean run(RabbitMqConnectionSettings connection) throws InterruptedException {
        long start = System.nanoTime();
        Consumer<String> report = line -> System.out.printf("[%5d ms] %s%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), line);
        AtomicInteger stored = new AtomicInteger();
        Consumer<String> counting = line -> {
            if (line.startsWith("event_store stored")) {
                stored.incrementAndGet();
            }
            report.accept(line);
        };
        SendMailHandler sendMail = new SendMailHandler(counting);
        boolean ok = false;
        RabbitMqEventBus rabbit = ExampleService.bus(connection, "demo", sendMail, counting);
        boolean declared = false;
        try {
            rabbit.admin().configure();
            declared = true;
            report.accept("using RabbitMQ: declared " + rabbit.admin().topology().queues().size() + " queues for "
                    + rabbit.convention().mainExchange());
            ok = run(rabbit, sendMail, stored, report, () -> deadLettersOnBroker(rabbit));
        } catch (BrokerUnavailableException e) {
            report.accept("no RabbitMQ reachable (" + e.getMessage().split("\\. ")[0] + "); running on the in-memory bus");
            InMemoryEventBus memory = InMemoryEventBus.builder()
                    .retryPolicy(ExampleService.RETRY)
                    .validator(ExampleService.SCHEMAS)
                    .subscribe(ExampleService.subscriptions(sendMail, counting).toArray(Subscription[]::new))
                    .build();
            try {
                ok = run(memory, sendMail, stored, report, memory::deadLetters);
            } finally {
                memory.stop();
            }
        } finally {
            rabbit.stop();
            if (declared) {
                try (RabbitMqEventBus cleaner = ExampleService.bus(connection, "demo", new SendMailHandler(report), report)) {
                    cleaner.admin().clear();
                }
            }
        }
        report.accept(ok ? "demo finished as expected" : "demo did NOT finish as expected");
        return ok;
    }

    private static boolean run(EventBus bus, SendMailHandler sendMail, AtomicInteger stored, Consumer<String> report,
                               Supplier<List<DeadLetter>> deadLetters) throws InterruptedException {
        bus.start();
        for (String name : NAMES) {
            bus.publish(new UserCreated(UUID.randomUUID().toString(), name));
            report.accept("published user.created for '" + name + "'");
        }
        int expectedSent = 3;
        int expectedDeadLetters = 2;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        List<DeadLetter> letters = deadLetters.get();
        while (System.nanoTime() < deadline && (sendMail.sent() < expectedSent || letters.size() < expectedDeadLetters
                || stored.get() < NAMES.size())) {
            TimeUnit.MILLISECONDS.sleep(100);
            letters = deadLetters.get();
        }
        report.accept("summary: published " + NAMES.size() + ", handled " + sendMail.sent() + ", failed attempts "
                + sendMail.failed() + " (retried " + (sendMail.failed() - letters.size()) + "), dead-lettered "
                + letters.size() + ", stored " + stored.get());
        for (DeadLetter letter : letters) {
            report.accept("  dead letter: " + letter.reason().wireValue() + " after " + letter.attempts() + " attempt(s): "
                    + letter.exceptionMessage());
        }
        return sendMail.sent() == expectedSent && letters.size() == expectedDeadLetters && stored.get() == NAMES.size();
    }

    private static List<DeadLetter> deadLettersOnBroker(RabbitMqEventBus bus) {
        String queue = bus.convention().handlerQueue(MessageType.of(UserCreated.class), "send_mail_handler");
        return bus.admin().deadLetters().peek(queue, 10);
    }
}
