package dev.eventbus.outbox;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of one test's own, from the installed binaries ({@code initdb}, {@code pg_ctl}), in a temporary
 * directory, with trust authentication: a server the test may stop and start without touching
 * the shared one. The port is a free one picked at start ({@value #PREFERRED_PORT} when free), so parallel runs do not
 * collide. Run as user {@code postgres} when the test runs as root (PostgreSQL refuses root). The test is
 * skipped, saying why, when the binaries are missing. {@link #close()} stops it and deletes the directory.
 */
final class OwnPostgres implements AutoCloseable {

    static final int PREFERRED_PORT = 5499;
    private static final List<Path> BIN_DIRS = List.of(Path.of("/usr/lib/postgresql/15/bin"), Path.of("/usr/lib/postgresql/16/bin"),
            Path.of("/usr/lib/postgresql/17/bin"), Path.of("/usr/lib/postgresql/14/bin"), Path.of("/usr/local/pgsql/bin"));

    private final Path bin;
    private final Path directory;
    private final boolean asPostgresUser;
    private final int port;

    private OwnPostgres(Path bin, Path directory, boolean asPostgresUser, int port) {
        this.bin = bin;
        this.directory = directory;
        this.asPostgresUser = asPostgresUser;
        this.port = port;
    }

    private static int freePort() throws IOException {
        for (int candidate : new int[] {PREFERRED_PORT, 0}) {
            try (java.net.ServerSocket socket = new java.net.ServerSocket(candidate, 1, java.net.InetAddress.getLoopbackAddress())) {
                return socket.getLocalPort();
            } catch (java.net.BindException taken) {
                // the preferred port is taken: any free one
            }
        }
        throw new IOException("no free port on the loopback interface");
    }

    /** Creates and starts the server; skips the test when PostgreSQL's binaries are not installed. */
    static OwnPostgres start() throws IOException, InterruptedException {
        Path bin = BIN_DIRS.stream().filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                .findFirst().orElse(null);
        assumeTrue(bin != null, "no PostgreSQL server binaries (initdb, pg_ctl) in " + BIN_DIRS
                + ": install postgresql to run the database restart test");
        boolean root = "root".equals(System.getProperty("user.name"));
        Path directory = Files.createTempDirectory("eventbus-outbox-pg-");
        OwnPostgres server = new OwnPostgres(bin, directory, root, freePort());
        if (root) {
            server.run(List.of("chown", "postgres:postgres", directory.toString()), false);
        }
        server.run(List.of(bin.resolve("initdb").toString(), "-D", server.data().toString(), "-U", "postgres",
                "--auth=trust", "-E", "UTF8", "--no-sync"), true);
        server.pgCtl("start");
        return server;
    }

    private Path data() {
        return directory.resolve("data");
    }

    /** JDBC URL of the server's {@code postgres} database. */
    String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres&connectTimeout=2&socketTimeout=30";
    }

    org.h2.jdbcx.JdbcConnectionPool dataSource() {
        return TestDatabase.pool(url());
    }

    /** Stops the server at once, as a crash or an operator's fast shutdown would (sessions are cut, transactions roll back). */
    void stop() throws IOException, InterruptedException {
        pgCtl("stop");
    }

    void startAgain() throws IOException, InterruptedException {
        pgCtl("start");
    }

    private void pgCtl(String action) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w",
                "-l", directory.resolve("server.log").toString()));
        if (action.equals("start")) {
            command.addAll(List.of("-o", "-p " + port + " -k " + directory + " -c listen_addresses=127.0.0.1 -c fsync=off"));
        } else {
            command.addAll(List.of("-m", "fast"));
        }
        command.add(action);
        run(command, true);
    }

    private void run(List<String> command, boolean asServerUser) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asServerUser && asPostgresUser) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            String log = Files.exists(directory.resolve("server.log")) ? Files.readString(directory.resolve("server.log")) : "";
            throw new IllegalStateException(String.join(" ", full) + " failed: " + output + "\n" + log);
        }
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                pgCtl("stop");
            }
        } finally {
            try (Stream<Path> files = Files.walk(directory)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }
}
