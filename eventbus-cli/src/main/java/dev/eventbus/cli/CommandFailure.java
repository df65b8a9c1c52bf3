package dev.eventbus.cli;

import dev.eventbus.core.EventBusException;

/** A failure of a command with the exit code it ends with; its message says what happened and what to do. */
final class CommandFailure extends EventBusException {

    private final int exitCode;

    CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    CommandFailure(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }
}
