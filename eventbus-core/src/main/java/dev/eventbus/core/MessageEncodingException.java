package dev.eventbus.core;

/** A payload could not be written as JSON. Nothing was published; fix the payload type. */
public class MessageEncodingException extends EventBusException {

    public MessageEncodingException(String message) {
        super(message);
    }

    public MessageEncodingException(String message, Throwable cause) {
        super(message, cause);
    }
}
