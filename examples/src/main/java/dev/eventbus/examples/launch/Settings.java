package dev.eventbus.examples.launch;

import dev.eventbus.core.ConfigurationException;

/** Reads the example services' settings from environment variables, with defaults. Stateless and thread-safe. */
public final class Settings {

    private Settings() {
    }

    /** The variable's value, or the default when it is unset or blank. */
    public static String string(String variable, String defaultValue) {
        String value = System.getenv(variable);
        return value == null || value.isBlank() ? defaultValue : value.trim();
    }

    /**
     * The variable as an integer, or the default when it is unset or blank.
     *
     * @throws ConfigurationException if it is set but not an integer
     */
    public static int integer(String variable, int defaultValue) {
        String value = string(variable, null);
        if (value == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigurationException("environment variable " + variable + "='" + value
                    + "' is not an integer: set a number such as " + defaultValue + ", or unset it for the default");
        }
    }
}
