package dev.eventbus.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CtlOutputTest {

    /** What rabbitmqctl 3.10.8 prints for list_queues name durable arguments messages consumers --formatter json. */
    private static final String QUEUES_3_10 = """
            [
            {"name":"probe.q","durable":true,"arguments":[["x-dead-letter-exchange","longstr","dlx"],["x-message-ttl","signedint",5000],["x-queue-type","longstr","classic"]],"messages":1,"consumers":0}
            ,{"name":"plain","durable":false,"arguments":[],"messages":0,"consumers":2}
            ]
            """;

    @Test
    void readsTheTriplesThatRabbitMq310PrintsForTables() {
        List<JsonNode> rows = CtlOutput.rows(QUEUES_3_10, "list_queues");

        assertEquals(2, rows.size());
        assertEquals(Map.of("x-dead-letter-exchange", "dlx", "x-message-ttl", 5000, "x-queue-type", "classic"),
                CtlOutput.table(rows.get(0).get("arguments")));
        assertEquals(Map.of(), CtlOutput.table(rows.get(1).get("arguments")));
    }

    @Test
    void readsNestedTablesAndArrays() {
        String clientProperties = """
                [{"client_properties":[["connection_name","longstr","svc-1"],["capabilities","table",[["basic.nack","bool",true]]],
                  ["hosts","array",[["longstr","a"],["longstr","b"]]],["big","long",5000000000]]}]
                """;
        JsonNode row = CtlOutput.rows(clientProperties, "list_connections").get(0);

        Map<String, Object> table = CtlOutput.table(row.get("client_properties"));
        assertEquals("svc-1", table.get("connection_name"));
        assertEquals(Map.of("basic.nack", true), table.get("capabilities"));
        assertEquals(List.of("a", "b"), table.get("hosts"));
        assertEquals(5_000_000_000L, table.get("big"));
    }

    @Test
    void readsTablesPrintedAsJsonObjectsByNewerVersions() {
        JsonNode row = CtlOutput.rows("[{\"arguments\":{\"x-queue-type\":\"quorum\",\"x-max-length\":10}}]", "list_queues").get(0);

        assertEquals(Map.of("x-queue-type", "quorum", "x-max-length", 10), CtlOutput.table(row.get("arguments")));
    }

    @Test
    void skipsABannerBeforeTheJson() {
        assertEquals(1, CtlOutput.rows("Listing queues for vhost / ...\n[{\"name\":\"q\"}]", "list_queues").size());
    }

    @Test
    void failsWithTheCommandAndWhatItPrintedWhenThereIsNoJson() {
        RabbitMqCtlException failure = assertThrows(RabbitMqCtlException.class,
                () -> CtlOutput.rows("Error: unable to perform an operation on node 'rabbit@x'", "list_queues"));

        assertTrue(failure.getMessage().contains("'list_queues' printed no JSON array"), failure.getMessage());
        assertTrue(failure.getMessage().contains("unable to perform an operation"), failure.getMessage());
    }
}
