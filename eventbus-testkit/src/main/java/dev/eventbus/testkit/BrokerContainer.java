package dev.eventbus.testkit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.RabbitMQContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Starts a RabbitMQ container with Testcontainers for the tests of this JVM.
 */
final class BrokerContainer {

    /** The image the testkit starts: the management image, so that its UI can be opened while debugging. */
    static final String IMAGE = "rabbitmq:3.13-management";

    private static final Logger log = LoggerFactory.getLogger(BrokerContainer.class);

    private BrokerContainer() {
    }

    /** Whether Testcontainers finds a Docker engine. Blocks while it looks (a few seconds at most). */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            log.debug("Testcontainers could not look for a Docker engine", e);
            return false;
        }
    }

    /**
     * Starts a container and waits until its broker accepts connections; stopping is left to the
     * returned broker's close.
     *
     * @throws TestBrokerUnavailableException if the container cannot be started
     */
    static RunningBroker start() {
        RabbitMQContainer container = new RabbitMQContainer(DockerImageName.parse(IMAGE));
        try {
            container.start();
        } catch (RuntimeException e) {
            container.close();
            throw new TestBrokerUnavailableException("could not start a RabbitMQ container (" + IMAGE + ") with Testcontainers: "
                    + e.getMessage() + "; check that Docker runs and can pull the image, or set EVENTBUS_RABBITMQ_URL "
                    + "to a running broker", e);
        }
        String amqpUrl = container.getAmqpUrl();
        BrokerUri uri = new BrokerUri(amqpUrl.replaceFirst("^amqp://", "amqp://" + container.getAdminUsername() + ":"
                + container.getAdminPassword() + "@"));
        log.info("started RabbitMQ container {} ({}) at {}", container.getContainerId(), IMAGE, uri.display());
        RabbitMqCtl ctl = new RabbitMqCtl(new ContainerCtlRunner(container), uri.virtualHost(), RabbitMqCtl.DEFAULT_TIMEOUT);
        // the image has the management plugin; its port is mapped to another, so the URL is given, not guessed
        String managementUrl = container.getHttpUrl();
        return new RunningBroker(BrokerSource.TESTCONTAINERS, uri, ctl, () -> ManagementApi.locate(uri, managementUrl, true),
                container::stop);
    }
}
