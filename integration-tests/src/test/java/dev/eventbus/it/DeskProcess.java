package dev.eventbus.it;

import dev.eventbus.core.DeadLetterFilter;
import dev.eventbus.core.DeadLetters;
import dev.eventbus.rabbitmq.RabbitMqEventBus;

/**
 * A dead-letter desk in a JVM of its own, for the test that kills one with SIGKILL in the middle of a replay.
 * Arguments: AMQP URI, organization, service, handler queue, milliseconds to wait after each letter, and optionally the
 * desk's confirm window (default 1). Prints
 * {@code replayed <n>} after each letter and {@code done <n>} at the end.
 */
public final class DeskProcess {

    private DeskProcess() {
    }

    public static void main(String[] args) {
        long millis = Long.parseLong(args[4]);
        RabbitMqEventBus bus = RabbitMqEventBus.builder().uri(args[0]).organization(args[1]).service(args[2])
                .connectionName("killed-desk").build();
        int window = args.length > 5 ? Integer.parseInt(args[5]) : 1;
        long replayed = bus.admin().deadLetters().confirmWindow(window).replay(DeadLetterFilter.queue(args[3]), DeadLetters.Attempts.RESET,
                progress -> {
                    System.out.println("replayed " + progress.processed());
                    try {
                        Thread.sleep(millis);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).processed();
        System.out.println("done " + replayed);
        bus.stop();
    }
}
