package dev.eventbus.outbox;

import dev.eventbus.core.pipeline.EncodedMessage;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import java.util.concurrent.CountDownLatch;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * An outbox relay in a JVM of its own, for the test that kills one with SIGKILL in the middle of a batch. Arguments:
 * JDBC URL, outbox table, AMQP URI, organization, service, batch size. Prints {@code claimed <n>} when it locked a
 * batch, {@code confirmed <message id>} per confirm (each after a 2 ms pause, so a batch lasts long enough to be killed
 * in), and {@code committed <sent>} after each commit.
 */
public final class RelayProcess {

    private RelayProcess() {
    }

    public static void main(String[] args) throws InterruptedException {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(args[0]);
        RabbitMqEventBus bus = RabbitMqEventBus.builder().uri(args[2]).organization(args[3]).service(args[4])
                .connectionName("killed-relay").build();
        Outbox outbox = Outbox.builder(dataSource, bus).table(args[1]).batchSize(Integer.parseInt(args[5]))
                .observer(new RelayObserver() {
                    @Override
                    public void claimed(int rows) {
                        System.out.println("claimed " + rows);
                    }

                    @Override
                    public void confirmed(EncodedMessage message) {
                        System.out.println("confirmed " + message.id());
                        try {
                            Thread.sleep(2);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }

                    @Override
                    public void committed(int sent, int failed) {
                        System.out.println("committed " + sent);
                    }
                })
                .build();
        outbox.start();
        System.out.println("started");
        new CountDownLatch(1).await();
    }
}
