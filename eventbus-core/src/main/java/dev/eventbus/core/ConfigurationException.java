package dev.eventbus.core;

/**
 * A setting, a name or a declaration is wrong: the message names the value and the rule it breaks.
 * Fix the configuration; retrying the same call will fail the same way.
 */
public class ConfigurationException extends EventBusException {

    public ConfigurationException(String message) {
        super(message);
    }

    public ConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
