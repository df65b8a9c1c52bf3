package dev.eventbus.examples.launch;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.MessageHandler;
import dev.eventbus.core.Subscription;
import dev.eventbus.examples.billing.AccountDebited;
import dev.eventbus.examples.billing.Billing;
import dev.eventbus.examples.billing.Bookkeeping;
import dev.eventbus.examples.eventstore.ReplayCompleted;
import dev.eventbus.examples.pipeline.ObjectCreated;
import dev.eventbus.examples.pipeline.TaskCreated;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.examples.eventstore.EventStore;
import dev.eventbus.examples.eventstore.EventStoreService;
import dev.eventbus.examples.eventstore.ObjectAudit;
import dev.eventbus.examples.pipeline.Datagen;
import dev.eventbus.examples.pipeline.Distributor;
import dev.eventbus.examples.pipeline.Processor;
import dev.eventbus.examples.pipeline.Statistics;
import dev.eventbus.examples.typed.DeadLetterDesk;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;

/**
 * Runs one example service, or all of them ({@code pipeline-all}), in this process until Ctrl-C, or deletes their
 * queues and exchanges ({@code pipeline-clear}); configured from the
 * environment (examples/README.md lists the variables). From the repository root:
 * {@code ./mvnw -q -B -pl examples -am compile exec:java -Dexample=pipeline-all}.
 */
public final class ServiceLauncher {

    /** Every service name this launcher knows, in the order {@code pipeline-all} starts them. */
    public static final List<String> SERVICES = List.of("eventstore", "pipeline-statistics", "pipeline-distributor",
            "pipeline-processor", "pipeline-dead-letters", "pipeline-datagen", "eventstore-audit", "bookkeeping", "billing");

    private ServiceLauncher() {
    }

    /** Starts the service named by {@code args[0]} and runs until Ctrl-C stops it gracefully. */
    public static void main(String[] args) throws InterruptedException {
        String name = args.length == 0 ? "pipeline-all" : args[0];
        ServiceBuses buses = ServiceBuses.fromEnvironment();
        if (name.equals("pipeline-clear")) {
            clear(buses);
            return;
        }
        List<AutoCloseable> running = new ArrayList<>();
        try {
            if (name.equals("pipeline-all")) {
                for (String service : SERVICES) {
                    running.addAll(start(service, buses));
                }
                running.add(Processor.start(buses, Processor.Options.named("processor-legacy").finishedVersion(1)));
            } else {
                running.addAll(start(name, buses));
            }
        } catch (RuntimeException e) {
            closeAll(running);
            throw e;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll(running);
            stopped.countDown();
        }));
        System.out.println(name + " running for organization " + ServiceBuses.organization() + "; Ctrl-C to stop");
        stopped.await();
    }

    /**
     * Starts one service by name.
     *
     * @return what to close to stop it
     * @throws ConfigurationException for an unknown name, listing the known ones
     */
    public static List<AutoCloseable> start(String name, ServiceBuses buses) {
        return switch (name) {
            case "pipeline-datagen" -> List.of(Datagen.start(buses, Settings.integer("DATAGEN_PORT", 8002)));
            case "pipeline-distributor" -> List.of(Distributor.start(buses));
            case "pipeline-processor" -> List.of(Processor.start(buses, processorOptions()));
            case "pipeline-statistics" -> List.of(Statistics.start(buses,
                    Settings.string("STATISTICS_JDBC_URL", "jdbc:h2:mem:statistics;DB_CLOSE_DELAY=-1"),
                    Settings.integer("STATISTICS_PORT", 8003)));
            case "pipeline-dead-letters" -> List.of(DeadLetterDesk.start(buses, Settings.integer("DEAD_LETTERS_PORT", 8004)));
            case "eventstore" -> {
                EventStore store = EventStore.open(Settings.string("EVENTSTORE_JDBC_URL", EventStore.DEFAULT_JDBC_URL),
                        EventStore.DEFAULT_TABLE);
                EventStoreService service = EventStoreService.start(buses, store,
                        Settings.integer("EVENTSTORE_CHUNK_SIZE", 100), Settings.integer("EVENTSTORE_PORT", 8005));
                yield List.of(store, service);
            }
            case "eventstore-audit" -> {
                ObjectAudit audit = ObjectAudit.start(buses);
                audit.requestReplay();
                yield List.of(audit);
            }
            case "billing" -> List.of(Billing.start(buses, Settings.string("BILLING_JDBC_URL", Billing.DEFAULT_JDBC_URL),
                    Settings.integer("BILLING_OPENING_BALANCE", 10_000), Settings.integer("BILLING_PORT", 8006)));
            case "bookkeeping" -> List.of(Bookkeeping.start(buses,
                    Settings.string("BOOKKEEPING_JDBC_URL", Bookkeeping.DEFAULT_JDBC_URL), Settings.integer("BOOKKEEPING_PORT", 8007)));
            case "pipeline-clear" -> {
                clear(buses);
                yield List.of();
            }
            default -> throw new ConfigurationException("unknown service '" + name + "': use pipeline-all, pipeline-clear or one of "
                    + SERVICES);
        };
    }

    /**
     * Deletes the queues (with their messages) and exchanges of every example service, except the vhost-wide store
     * queues, which other services may share. Each service's bus deletes what it declared: its own exchanges and its
     * handlers' queues (never another service's exchange that it subscribed from).
     */
    static void clear(ServiceBuses buses) {
        Map<String, List<Subscription>> services = new LinkedHashMap<>();
        services.put(Datagen.SERVICE, List.of());
        services.put(Distributor.SERVICE, List.of(
                Subscription.of(ObjectCreated.class, Distributor.HANDLER, ignore()).from(Datagen.SERVICE)));
        services.put(Processor.SERVICE, List.of(
                Subscription.of(TaskCreated.class, Processor.HANDLER, ignore()).from(Distributor.SERVICE)));
        services.put(Statistics.SERVICE, Statistics.OBSERVED.stream()
                .map(observed -> Subscription.allMessages(Statistics.handlerName(observed), ignore()).from(observed)).toList());
        services.put(EventStoreService.SERVICE, List.of());
        services.put(Billing.SERVICE, List.of());
        services.put(Bookkeeping.SERVICE, List.of(
                Subscription.of(AccountDebited.class, Bookkeeping.HANDLER, ignore()).from(Billing.SERVICE)));
        services.put(ObjectAudit.SERVICE, List.of(
                Subscription.of(ObjectCreated.class, ObjectAudit.HANDLER, ignore()).from(Datagen.SERVICE),
                Subscription.of(ReplayCompleted.class, ObjectAudit.REPLAYS_HANDLER, ignore()).from(EventStoreService.SERVICE)));
        services.forEach((service, subscriptions) -> {
            RabbitMqEventBus bus = buses.bus(service, b -> b.subscribe(subscriptions.toArray(Subscription[]::new)));
            try {
                bus.admin().clear();
                System.out.println("deleted the queues and exchanges of " + bus.convention().mainExchange());
            } finally {
                bus.stop();
            }
        });
        System.out.println("the vhost-wide store queues (store, retry.store, dead_letter.store) are left alone");
    }

    /** A handler that does nothing: {@link #clear} needs the subscriptions' names and types, not their work. */
    private static <T> MessageHandler<T> ignore() {
        return message -> {
        };
    }

    private static Processor.Options processorOptions() {
        return Processor.Options.named(Settings.string("PROCESSOR_NAME", "processor-" + ProcessHandle.current().pid()))
                .finishedVersion(Settings.integer("PROCESSOR_FINISHED_VERSION", 2))
                .unsupported(kinds("PROCESSOR_UNSUPPORTED_KINDS"))
                .flaky(kinds("PROCESSOR_FLAKY_KINDS"));
    }

    private static Set<String> kinds(String variable) {
        return Arrays.stream(Settings.string(variable, "").split(",")).map(String::trim).filter(k -> !k.isEmpty())
                .collect(Collectors.toSet());
    }

    /** Closes in reverse start order; a failure is printed and the rest still closed. */
    private static void closeAll(List<AutoCloseable> running) {
        List<AutoCloseable> reversed = new ArrayList<>(running);
        Collections.reverse(reversed);
        for (AutoCloseable closeable : reversed) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.err.println("stopping " + closeable.getClass().getSimpleName() + " failed: " + e);
            }
        }
        running.clear();
    }
}
