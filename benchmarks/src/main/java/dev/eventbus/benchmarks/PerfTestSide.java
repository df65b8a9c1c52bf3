package dev.eventbus.benchmarks;

import com.rabbitmq.perf.PerfTest;
import com.rabbitmq.perf.ShutdownService;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * RabbitMQ's PerfTest ({@code com.rabbitmq:perf-test}) as a side of the end-to-end benchmark, run in this JVM through
 * {@link PerfTest#main(String[], PerfTest.PerfTestOptions)} with a system exiter that records the exit status instead
 * of calling {@code System.exit}. The same shape as the other sides: 1 producer, 1 consumer, a durable topic exchange
 * and a durable queue of its own, persistent {@code mandatory} messages of {@value #SIZE} bytes, {@code --confirm}
 * {@value EndToEnd#IN_FLIGHT}, {@code --qos} {@value EndToEnd#PREFETCH}, an ack per message, the same message count.
 * Its bodies are PerfTest's own (a timestamp and padding): it pays no JSON cost. The figures are parsed from its
 * summary: the receiving rate (end to end), the sending rate (publish) and the consumer latency percentiles. What
 * PerfTest prints to {@code System.out} itself ("starting consumer #0", ...) goes to standard error during the run, so
 * standard output keeps only the benchmark's tables.
 */
final class PerfTestSide {

    /** The other sides' envelope is 491 bytes; PerfTest pads its body to this size. */
    static final int SIZE = 500;

    private static final Pattern RECEIVING = Pattern.compile("receiving rate avg: (\\d+) msg/s");
    private static final Pattern SENDING = Pattern.compile("sending rate avg: (\\d+) msg/s");
    private static final Pattern LATENCY = Pattern.compile(
            "consumer latency min/median/75th/95th/99th (\\d+)/(\\d+)/(\\d+)/(\\d+)/(\\d+) µs");

    private final Broker broker;

    PerfTestSide(Broker broker) {
        this.broker = broker;
    }

    /** One run of {@code count} messages, flat out. */
    Run run(int count) throws Exception {
        String scope = Broker.unique("perftest");
        String queue = scope + ".queue";
        List<String> args = List.of("--uri", broker.settings().toUri(), "--id", scope,
                "--producers", "1", "--consumers", "1", "--exchange", scope, "--type", "topic",
                "--routing-key", "bench." + scope + ".1.event.order.placed", "--queue", queue, "--auto-delete", "false",
                "--flag", "persistent", "--flag", "mandatory", "--size", String.valueOf(SIZE),
                "--confirm", String.valueOf(EndToEnd.IN_FLIGHT), "--qos", String.valueOf(EndToEnd.PREFETCH),
                "--pmessages", String.valueOf(count), "--cmessages", String.valueOf(count),
                // a safety net only: the run ends when the consumer has received count messages
                "--time", String.valueOf(EndToEnd.timeoutMillis(count) / 1000));
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        AtomicInteger exitStatus = new AtomicInteger(-1);
        try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
            PerfTest.PerfTestOptions options = new PerfTest.PerfTestOptions()
                    .setSystemExiter(exitStatus::set)
                    .setShutdownService(new ShutdownService())
                    .setSkipSslContextConfiguration(true)
                    .setConsoleOut(out)
                    .setConsoleErr(System.err);
            PrintStream stdout = System.out;
            System.setOut(System.err);
            long cpu = Run.processCpuNanos();
            double cpuPerMessage;
            try {
                PerfTest.main(args.toArray(String[]::new), options);
                cpuPerMessage = Run.cpuPerMessage(cpu, count);
            } finally {
                System.setOut(stdout);
            }
            String summary = captured.toString(StandardCharsets.UTF_8);
            if (exitStatus.get() != 0 || !summary.contains("Consumer reached message limit")) {
                throw new IllegalStateException("PerfTest did not receive its " + count + " messages (exit status "
                        + exitStatus.get() + "); its output:\n" + summary);
            }
            Matcher latency = find(LATENCY, summary);
            return new Run(Double.parseDouble(find(RECEIVING, summary).group(1)),
                    Double.parseDouble(find(SENDING, summary).group(1)),
                    Long.parseLong(latency.group(2)) / 1000.0, Long.parseLong(latency.group(4)) / 1000.0,
                    Long.parseLong(latency.group(5)) / 1000.0, cpuPerMessage);
        } finally {
            broker.delete(List.of(queue), List.of(scope));
        }
    }

    private static Matcher find(Pattern pattern, String summary) {
        Matcher matcher = pattern.matcher(summary);
        if (!matcher.find()) {
            throw new IllegalStateException("PerfTest's summary has no line matching '" + pattern.pattern()
                    + "' (a PerfTest version other than 2.22.1?); its output:\n" + summary);
        }
        return matcher;
    }
}
