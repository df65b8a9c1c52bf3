package dev.eventbus.spring.boot;

import dev.eventbus.core.Event;

/** A test event: invoice.issued, version 1; its handler always fails. */
record InvoiceIssued(String invoiceId) implements Event {
}
