package dev.eventbus.benchmarks;

import dev.eventbus.core.Event;
import java.util.UUID;

/**
 * The benchmark event ({@code order.placed} v1): about 500 bytes as a petisco envelope. {@code sequence} indexes
 * the message in its run and {@code sentAtNanos} is the publisher's {@link System#nanoTime()} just before
 * publishing, so the consumer (same process) measures latency without clock skew.
 *
 * @param orderId     a UUID
 * @param sequence    0-based index of the message in its run
 * @param sentAtNanos {@code System.nanoTime()} at publish
 * @param customerId  a customer id
 * @param sku         {@code SKU-<digits>}
 * @param quantity    1 to 1000
 * @param amountCents the amount
 * @param currency    EUR, USD or GBP
 * @param note        padding text that brings the envelope to about 500 bytes
 */
public record OrderPlaced(String orderId, long sequence, long sentAtNanos, String customerId, String sku, int quantity,
                          long amountCents, String currency, String note) implements Event {

    /** Padding that makes the whole envelope (with its UUIDs and occurred_on) about 500 bytes. */
    static final String NOTE = "leave the parcel at the reception desk if nobody answers; fragile: glassware "
            + "inside, keep upright";

    /** A new event with the given sequence, stamped with the current {@code nanoTime}. */
    static OrderPlaced next(long sequence) {
        return new OrderPlaced(UUID.randomUUID().toString(), sequence, System.nanoTime(), "customer-" + (sequence % 9973),
                "SKU-" + (100000 + sequence % 5000), 1 + (int) (sequence % 20), 1999 + sequence % 10000, "EUR", NOTE);
    }
}
