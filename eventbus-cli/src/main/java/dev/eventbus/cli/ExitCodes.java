package dev.eventbus.cli;

/**
 * The exit codes of every {@code eventbus} command, for scripts (docs/cli.md lists them too). Constants only.
 */
public final class ExitCodes {

    /** The command did what it was asked, and found nothing wrong. */
    public static final int OK = 0;
    /** The command ran and found a problem: {@code diff} found drift, {@code health} found the service unhealthy. */
    public static final int FINDINGS = 1;
    /** The command line is wrong: an unknown option, a missing parameter (picocli's usage code). */
    public static final int USAGE = 2;
    /** The broker or its management API could not be reached, or refused the credentials. */
    public static final int UNREACHABLE = 3;
    /** The plan or the input is wrong: a plan class that cannot be loaded, a bad URL, a body that is not a message. */
    public static final int CONFIGURATION = 4;
    /** The broker refused an operation: conflicting arguments, a message not confirmed or not routed. */
    public static final int REFUSED = 5;
    /** Anything else: a bug; the message and stack trace are printed. */
    public static final int SOFTWARE = 70;

    private ExitCodes() {
    }
}
