package dev.eventbus.examples.pipeline;

import dev.eventbus.core.Event;

/**
 * datagen created a data object: routed as {@code <org>.datagen.1.event.object_created}.
 *
 * @param objectId the new object's id
 * @param kind     what sort of object it is (e.g. {@code document}); processors may not support every kind
 */
public record ObjectCreated(String objectId, String kind) implements Event {
}
