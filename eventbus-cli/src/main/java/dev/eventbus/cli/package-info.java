/**
 * The {@code eventbus} command line ({@link dev.eventbus.cli.EventbusCli}, docs/cli.md) and the one type a service
 * implements for it, {@link dev.eventbus.cli.ServicePlan}: how the command line learns a service's organization,
 * service name, subscriptions and topology settings. The commands themselves are package-private: their contract is
 * the command line (options, output, {@link dev.eventbus.cli.ExitCodes exit codes}), not Java. Everything here is
 * non-null unless annotated {@link org.jspecify.annotations.Nullable}.
 */
@NullMarked
package dev.eventbus.cli;

import org.jspecify.annotations.NullMarked;
