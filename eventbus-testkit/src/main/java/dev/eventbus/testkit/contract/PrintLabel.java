package dev.eventbus.testkit.contract;

import dev.eventbus.core.Command;

/**
 * A command of the contract suite: {@code print.label}, version 1.
 *
 * @param text what to print
 */
public record PrintLabel(String text) implements Command {
}
