package dev.eventbus.spring.boot;

// tag::in-memory[]
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

/** {@link HandlerBeansContract} on the in-memory transport: the same application, no broker. */
@SpringBootTest(classes = BillingTestApplication.class, properties = {
        "eventbus.transport=in-memory", "eventbus.organization=alice", "eventbus.service=billing",
        "eventbus.handlers.send-invoice.retry.max-retries=1", "eventbus.handlers.send-invoice.retry.delay=100ms",
        "management.endpoints.web.exposure.include=health,eventbus"})
@DirtiesContext
class HandlerBeansInMemoryTest extends HandlerBeansContract {
}
// end::in-memory[]
