package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.eventbus.core.ConfigurationException;
import dev.eventbus.core.InMemoryEventBus;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** Table names are validated before they reach SQL, and the scripts carry them. */
class SchemaTest {

    private final DataSource dataSource = new JdbcDataSource();

    @Test
    void tableNamesThatAreNotPlainIdentifiersAreRefusedNamingTheRule() {
        for (String bad : new String[] {"", "outbox; DROP TABLE accounts", "a.b.c", "1outbox", "out-box", "\"outbox\"",
                "x".repeat(64), "billing.", ".outbox"}) {
            ConfigurationException e = assertThrows(ConfigurationException.class,
                    () -> Outbox.builder(dataSource, InMemoryEventBus.builder().build()).table(bad), bad);
            assertTrue(e.getMessage().contains("outbox"), e.getMessage());
            assertThrows(ConfigurationException.class, () -> Inbox.builder(dataSource).table(bad), bad);
        }
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> Outbox.schemaScript(Database.POSTGRESQL, "outbox; DROP TABLE accounts"));
        assertTrue(e.getMessage().contains("letters, digits and '_'"), e.getMessage());
    }

    @Test
    void theScriptsNameTheTableAndItsIndexAsEachDatabaseWantsThem() {
        String postgres = Outbox.schemaScript(Database.POSTGRESQL, "billing.outbox");
        assertTrue(postgres.contains("CREATE TABLE IF NOT EXISTS billing.outbox ("), postgres);
        assertTrue(postgres.contains("CREATE INDEX IF NOT EXISTS outbox_ordering ON billing.outbox"), postgres);
        assertTrue(postgres.contains("BYTEA"), postgres);
        String h2 = Outbox.schemaScript(Database.H2, "billing.outbox");
        assertTrue(h2.contains("CREATE INDEX IF NOT EXISTS billing.outbox_ordering ON billing.outbox"), h2);
        String inbox = Inbox.schemaScript(Database.POSTGRESQL, "eventbus_inbox");
        assertTrue(inbox.contains("PRIMARY KEY (handler_name, message_id)"), inbox);
        assertTrue(inbox.contains("CREATE INDEX IF NOT EXISTS eventbus_inbox_received ON eventbus_inbox (received_at)"), inbox);
        assertEquals(-1, (postgres + h2 + inbox).indexOf("${"), "every placeholder is filled");
    }

    @Test
    void aDatabaseOtherThanPostgresqlAndH2IsRefusedByName() throws Exception {
        java.sql.Connection connection = (java.sql.Connection) java.lang.reflect.Proxy.newProxyInstance(
                getClass().getClassLoader(), new Class<?>[] {java.sql.Connection.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getMetaData")) {
                        return java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                                new Class<?>[] {java.sql.DatabaseMetaData.class}, (p, m, a) -> "Oracle");
                    }
                    throw new UnsupportedOperationException(method.getName());
                });
        ConfigurationException e = assertThrows(ConfigurationException.class, () -> Database.of(connection));
        assertTrue(e.getMessage().contains("'Oracle'"), e.getMessage());
    }
}
