package dev.eventbus.cli;

import java.io.Console;
import java.util.Locale;

/**
 * Asks before a command changes dead letters: on a terminal a question answered {@code y}; {@code --yes} skips it; with
 * stdin not a terminal (a script, a pipe) and no {@code --yes}, the command is refused, so a script never acts on
 * letters without saying so.
 */
final class Confirmation {

    private Confirmation() {
    }

    /**
     * Returns when confirmed.
     *
     * @param yes      whether {@code --yes} was given
     * @param question what is about to happen, e.g. {@code discard 120 dead letters of ...}
     * @throws CommandFailure with {@link ExitCodes#USAGE} when it cannot ask (no terminal) and {@code --yes} is missing,
     *                        with {@link ExitCodes#FINDINGS} when the answer is not yes
     */
    static void confirm(boolean yes, String question) {
        if (yes) {
            return;
        }
        Console console = System.console();
        if (console == null) {
            throw new CommandFailure(ExitCodes.USAGE, "refusing to " + question + " without confirmation: stdin is not a "
                    + "terminal, so the question cannot be asked. Add --yes to confirm (run `eventbus dead-letters list` "
                    + "with the same options first to see the letters)");
        }
        String answer = console.readLine("%s? [y/N] ", capitalized(question));
        if (answer == null || !(answer.trim().equalsIgnoreCase("y") || answer.trim().equalsIgnoreCase("yes"))) {
            throw new CommandFailure(ExitCodes.FINDINGS, "not confirmed: nothing done");
        }
    }

    private static String capitalized(String text) {
        return text.isEmpty() ? text : text.substring(0, 1).toUpperCase(Locale.ROOT) + text.substring(1);
    }
}
