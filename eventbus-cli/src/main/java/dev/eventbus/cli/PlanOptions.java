package dev.eventbus.cli;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.rabbitmq.RabbitMqEventBus;
import dev.eventbus.rabbitmq.RabbitMqEventBusBuilder;
import java.io.File;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Which service a command is about: a {@link ServicePlan} class ({@code --plan}, on {@code --classpath}), or only an
 * organization and a service (enough for {@code tail} and {@code publish}). {@code --organization} and
 * {@code --service} override the plan's, so one plan serves every environment.
 */
final class PlanOptions {

    @Option(names = {"-p", "--plan"}, paramLabel = "<class>",
            description = "A class implementing dev.eventbus.cli.ServicePlan (public, no-argument constructor). Default: "
                    + "the one ServicePlan listed in META-INF/services of --classpath.")
    @Nullable String planClass;

    @Option(names = {"-c", "--classpath"}, paramLabel = "<path>", split = "[:;]", splitSynopsisLabel = ":",
            description = "Jars and class directories holding the plan, its messages and their dependencies, separated by "
                    + "':' (or ';').")
    List<Path> classpath = new ArrayList<>();

    @Option(names = {"-o", "--organization"}, paramLabel = "<name>", description = "The organization (overrides the plan's).")
    @Nullable String organization;

    @Option(names = {"-s", "--service"}, paramLabel = "<name>", description = "The service (overrides the plan's).")
    @Nullable String service;

    /**
     * The service's bus, built but never started (no connection is opened by building it).
     *
     * @throws ConfigurationException if there is no plan and no organization and service, or the plan cannot be loaded
     */
    RabbitMqEventBus bus(RabbitMqConnectionSettings settings) {
        RabbitMqEventBusBuilder builder = RabbitMqEventBus.builder().connection(settings);
        ServicePlan plan = plan();
        if (plan != null) {
            builder = plan.configure(builder);
        } else if (organization == null || service == null) {
            throw new ConfigurationException("no service named: give --plan <class> --classpath <jar> (a ServicePlan), or "
                    + "--organization <name> --service <name>");
        }
        if (organization != null) {
            builder.organization(organization);
        }
        if (service != null) {
            builder.service(service);
        }
        return builder.build();
    }

    /** The plan, or null when neither {@code --plan} nor a ServicePlan on {@code --classpath} names one. */
    @Nullable ServicePlan plan() {
        ClassLoader loader = classLoader();
        if (planClass == null) {
            if (classpath.isEmpty()) {
                return null;
            }
            List<ServicePlan> found = new ArrayList<>();
            ServiceLoader.load(ServicePlan.class, loader).forEach(found::add);
            if (found.size() != 1) {
                throw new ConfigurationException((found.isEmpty() ? "no" : found.size()) + " ServicePlan listed in "
                        + "META-INF/services/" + ServicePlan.class.getName() + " of " + classpath
                        + ": name one with --plan <class>");
            }
            return found.get(0);
        }
        Class<?> type;
        try {
            type = Class.forName(planClass, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new ConfigurationException("plan class " + planClass + " was not found on "
                    + (classpath.isEmpty() ? "the command line's classpath" : String.valueOf(classpath))
                    + ": give the service's jar or classes directory (and its dependencies) with --classpath (" + e + ")");
        }
        if (!ServicePlan.class.isAssignableFrom(type)) {
            throw new ConfigurationException("plan class " + planClass + " does not implement " + ServicePlan.class.getName());
        }
        try {
            return (ServicePlan) type.getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new ConfigurationException("cannot create plan " + planClass + ": it needs a public no-argument "
                    + "constructor (" + (e.getCause() != null ? e.getCause() : e) + ")", e);
        }
    }

    private ClassLoader classLoader() {
        ClassLoader parent = PlanOptions.class.getClassLoader();
        if (classpath.isEmpty()) {
            return parent;
        }
        List<URL> urls = new ArrayList<>();
        for (Path path : classpath) {
            if (!Files.exists(path)) {
                throw new ConfigurationException("classpath entry " + path + " does not exist");
            }
            try {
                urls.add(path.toAbsolutePath().toUri().toURL());
            } catch (MalformedURLException e) {
                throw new ConfigurationException("classpath entry " + path + " is not a path: " + e.getMessage(), e);
            }
        }
        return new URLClassLoader("eventbus-plan " + String.join(File.pathSeparator, classpath.stream().map(Path::toString)
                .toList()), urls.toArray(URL[]::new), parent);
    }
}
