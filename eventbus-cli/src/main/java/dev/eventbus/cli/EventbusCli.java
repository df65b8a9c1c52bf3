package dev.eventbus.cli;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.EventBusException;
import dev.eventbus.core.NonRetryableException;
import dev.eventbus.rabbitmq.BrokerUnavailableException;
import dev.eventbus.rabbitmq.TopologyConflictException;
import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code eventbus} command: its subcommands, help, version, shell completion and exit codes (docs/cli.md). Run it
 * with {@code java -jar eventbus.jar <command>}, or in a JVM through {@link #commandLine()}.
 *
 * <p>To add a command (or a group of them), write a picocli {@code @Command} that mixes in the shared options
 * ({@code Output} for {@code --json} and progress bars, {@code ConnectionOptions} for the broker, {@code PlanOptions}
 * for the service), throws on failure (exceptions map to {@link ExitCodes}), and list it in {@code subcommands} below.
 */
@Command(name = "eventbus", mixinStandardHelpOptions = true, versionProvider = EventbusCli.Version.class,
        description = "Operate services on RabbitMQ the eventbus way: see, declare and check their topology, publish "
                + "and watch their messages, mend their dead letters, and migrate their queues.",
        subcommands = {TopologyCommand.class, ConfigureCommand.class, DiffCommand.class, PublishCommand.class,
                TailCommand.class, HealthCommand.class, MigrateCommand.class, DeadLettersCommand.class, AutoComplete.GenerateCompletion.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done, nothing wrong found",
                "1:found a problem (diff: drift; health: unhealthy; tail: fewer messages than --count; dead-letters: stopped "
                        + "partway, letter not found, not confirmed)",
                "2:wrong command line (dead-letters: --yes missing without a terminal)",
                "3:broker or management API unreachable, or credentials refused",
                "4:plan or input wrong (plan class, URL, message)",
                "5:the broker refused (conflicting arguments, message not confirmed or not routed)",
                "70:unexpected error (a bug: please report it with the stack trace)"})
public final class EventbusCli implements Runnable {

    @Spec
    CommandSpec spec;

    /** Picocli creates it. */
    public EventbusCli() {
    }

    /**
     * Runs a command and exits the JVM with its exit code.
     *
     * @param args the command line, e.g. {@code topology --plan com.example.Plan --classpath app.jar}
     */
    public static void main(String[] args) {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel",
                System.getProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn"));
        System.exit(commandLine().execute(args));
    }

    /**
     * The command line, ready to {@link CommandLine#execute execute}: exceptions of commands are printed as one line
     * (what happened and what to do, never a password) and mapped to {@link ExitCodes}. Set its out and err writers to
     * capture the output.
     *
     * @return a new command line
     */
    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new EventbusCli()).setCaseInsensitiveEnumValuesAllowed(true);
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            int code = exitCode(e);
            PrintWriter err = cmd.getErr();
            err.println(cmd.getCommandSpec().qualifiedName() + ": " + e.getMessage()); // e.g. eventbus dead-letters list
            if (code == ExitCodes.SOFTWARE) {
                StringWriter trace = new StringWriter();
                e.printStackTrace(new PrintWriter(trace));
                err.print(trace);
            }
            err.flush();
            return code;
        });
        commandLine.getSubcommands().get("generate-completion").getCommandSpec().usageMessage().hidden(false);
        return commandLine;
    }

    /** The exit code of a command's exception. */
    static int exitCode(Exception e) {
        if (e instanceof CommandFailure failure) {
            return failure.exitCode();
        }
        if (e instanceof BrokerUnavailableException) {
            return ExitCodes.UNREACHABLE;
        }
        if (e instanceof TopologyConflictException) {
            return ExitCodes.REFUSED;
        }
        if (e instanceof ConfigurationException || e instanceof NonRetryableException || e instanceof IllegalArgumentException) {
            return ExitCodes.CONFIGURATION;
        }
        if (e instanceof EventBusException) {
            return ExitCodes.REFUSED;
        }
        return ExitCodes.SOFTWARE;
    }

    /** Without a command: the help. */
    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The version of the jar (its manifest), or {@code development} when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = EventbusCli.class.getPackage().getImplementationVersion();
            return new String[] {"eventbus " + (version != null ? version : "development")};
        }
    }
}
