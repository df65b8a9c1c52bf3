package dev.eventbus.benchmarks;

import dev.eventbus.core.MessageValidator;
import dev.eventbus.rabbitmq.RabbitMqConnectionSettings;
import dev.eventbus.schema.JsonSchemaValidator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs the benchmarks and prints Markdown tables: library vs raw amqp-client, run alternately in this process
 * (raw, library, library, raw, ...: the order flips every round), medians over the rounds and the library/raw ratio.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--quick] [--only=micro,e2e,latency,e2e-obs,e2e4,schema,retry,retry-ladder,delay,
 *      memory,outbox,handlers,ordered,scale] [--rounds=N] [--count=N] [--backlog=N] [--sides=raw,lib,spring,perftest] [--batch=N]
 * </pre>
 * {@code --sides=lib} runs only the library's side of the broker benchmarks (for profiling); tables then need both.
 * {@code e2e} and {@code latency} also run Spring AMQP's side ({@code spring}), {@code e2e} also PerfTest's ({@code perftest}).
 * The broker is {@code EVENTBUS_RABBITMQ_URL}, else amqp://guest:guest@localhost:5672. The outbox benchmark's PostgreSQL
 * is {@code EVENTBUS_BENCH_POSTGRES_URL}, else jdbc:postgresql://127.0.0.1:5432/test?user=postgres.
 */
public final class BenchmarkMain {

    private static final List<String> ALL = List.of("micro", "e2e", "latency", "e2e-obs", "e2e4", "schema", "retry", "retry-ladder",
            "delay", "memory", "outbox", "handlers", "ordered", "scale");

    private final boolean quick;
    private final int rounds;
    private final int count;
    private final int backlog;
    private final Broker broker;
    private final Set<String> sides;
    private int batch = 100;

    private BenchmarkMain(boolean quick, int rounds, int count, int backlog, Broker broker, Set<String> sides) {
        this.sides = sides;
        this.quick = quick;
        this.rounds = rounds;
        this.count = count;
        this.backlog = backlog;
        this.broker = broker;
    }

    /** Parses the options above and runs the selected benchmarks; exits non-zero when one fails. */
    public static void main(String[] args) throws Exception {
        try {
            run(args);
        } catch (Exception | Error e) {
            // the client's connection threads are not daemons: exit so a failed run does not hang
            System.err.println("benchmark failed: " + e);
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        Map<String, String> options = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unknown argument " + arg + "; use --quick, --only=..., --rounds=N, --count=N, --backlog=N, --batch=N");
            }
            int equals = arg.indexOf('=');
            options.put(equals < 0 ? arg.substring(2) : arg.substring(2, equals), equals < 0 ? "" : arg.substring(equals + 1));
        }
        boolean quick = options.containsKey("quick");
        Set<String> only = Set.copyOf(Arrays.asList(options.getOrDefault("only", String.join(",", ALL)).split(",")));
        for (String name : only) {
            if (!ALL.contains(name)) {
                throw new IllegalArgumentException("unknown benchmark " + name + "; known: " + ALL);
            }
        }
        int rounds = Integer.parseInt(options.getOrDefault("rounds", quick ? "2" : "3"));
        int count = Integer.parseInt(options.getOrDefault("count", quick ? "10000" : "200000"));
        int backlog = Integer.parseInt(options.getOrDefault("backlog", quick ? "100000" : "1000000"));
        Broker broker = new Broker(RabbitMqConnectionSettings.fromEnvironment());
        Set<String> sides = Set.copyOf(Arrays.asList(options.getOrDefault("sides", "raw,lib,spring,perftest").split(",")));
        BenchmarkMain main = new BenchmarkMain(quick, rounds, count, backlog, broker, sides);
        main.batch = Integer.parseInt(options.getOrDefault("batch", "100"));
        long start = System.nanoTime();
        main.environment(only);
        for (String name : ALL) {
            if (only.contains(name)) {
                switch (name) {
                    case "micro" -> main.micro();
                    case "e2e" -> new Peers(broker, rounds, sides, quick).endToEnd(count);
                    case "latency" -> new Peers(broker, rounds, sides, quick).latency();
                    case "e2e-obs" -> main.endToEnd(new EndToEnd.Scenario("1 producer, 1 consumer, Micrometer and "
                            + "OpenTelemetry observers on the library", 1, MessageValidator.NONE, true));
                    case "e2e4" -> main.endToEnd(new EndToEnd.Scenario("4 producers, 1 consumer", 4, MessageValidator.NONE));
                    case "schema" -> main.endToEnd(new EndToEnd.Scenario("1 producer, 1 consumer, schema validation",
                            1, JsonSchemaValidator.fromClasspath()));
                    case "retry" -> main.retry(false);
                    case "retry-ladder" -> main.retry(true);
                    case "delay" -> main.delay();
                    case "memory" -> main.memory();
                    case "outbox" -> main.outbox();
                    case "handlers" -> main.handlers();
                    case "ordered" -> main.ordered();
                    case "scale" -> main.scale();
                    default -> throw new IllegalStateException(name);
                }
            }
        }
        System.out.printf(Locale.ROOT, "%ntotal %.0f s; load average at the end: %s%n",
                (System.nanoTime() - start) / 1e9, loadAverage());
    }

    private void environment(Set<String> only) throws Exception {
        System.out.printf(Locale.ROOT, "# eventbus benchmarks (%s mode), %s%n", quick ? "quick" : "full",
                Instant.now().truncatedTo(ChronoUnit.SECONDS));
        System.out.printf(Locale.ROOT, "cores %d, %s %s (%s), %s %s; RabbitMQ %s at %s; load average %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"), System.getProperty("java.version"),
                System.getProperty("java.vm.vendor"), System.getProperty("os.name"), System.getProperty("os.version"),
                only.equals(Set.of("micro")) ? "(not used)" : broker.version(), broker.settings().describeAddresses(), loadAverage());
        System.out.printf(Locale.ROOT, "end to end: %d messages per run, %d rounds (the order of the sides flips, or with "
                + "Spring rotates, every round) after a warm-up run of each side; memory backlog %d and %d%n", count, rounds, backlog / 10, backlog);
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (Exception e) {
            return "n/a";
        }
    }

    // ------------------------------------------------------------------------------------------------ micro

    private void micro() throws Exception {
        OptionsBuilder options = new OptionsBuilder();
        options.include(CodecBenchmarks.class.getName() + "\\.")
                .mode(Mode.AverageTime).timeUnit(TimeUnit.NANOSECONDS)
                .forks(1).jvmArgs("-Xmx512m")
                .warmupIterations(quick ? 1 : 3).warmupTime(TimeValue.seconds(1))
                .measurementIterations(quick ? 1 : 5).measurementTime(TimeValue.seconds(quick ? 1 : 2))
                .verbosity(VerboseMode.SILENT);
        Collection<RunResult> results = new Runner(options.build()).run();
        Map<String, double[]> scores = new LinkedHashMap<>();
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            scores.put(name.substring(name.lastIndexOf('.') + 1), new double[] {result.getPrimaryResult().getScore(),
                    result.getPrimaryResult().getScoreError()});
        }
        System.out.printf("%n## Micro (JMH, average time per operation, 1 fork, %s)%n%n",
                quick ? "1 x 1 s warm-up, 1 x 1 s measured" : "3 x 1 s warm-up, 5 x 2 s measured");
        System.out.println("| operation | library ns/op | raw Jackson ns/op | lib/raw |");
        System.out.println("| --- | ---: | ---: | ---: |");
        microRow("envelope encode", scores.get("libraryEncode"), scores.get("rawEncode"));
        microRow("envelope decode (typed)", scores.get("libraryDecode"), scores.get("rawDecode"));
        microRow("Names.messageName", scores.get("messageName"), null);
        microRow("schema validation (JsonSchemaValidator)", scores.get("schemaValidate"), null);
    }

    private static void microRow(String label, double[] library, double[] raw) {
        System.out.printf(Locale.ROOT, "| %s | %s | %s | %s |%n", label, score(library), raw == null ? "-" : score(raw),
                raw == null ? "-" : String.format(Locale.ROOT, "%.2f", library[0] / raw[0]));
    }

    /** A JMH score with its 99.9% error (no error with a single measured iteration). */
    private static String score(double[] result) {
        return Double.isNaN(result[1]) ? String.format(Locale.ROOT, "%.0f", result[0])
                : String.format(Locale.ROOT, "%.0f ± %.0f", result[0], result[1]);
    }

    // ------------------------------------------------------------------------------------------------ end to end

    /** A benchmark body run on one side. */
    private interface Side<R> {
        R run(boolean library) throws Exception;
    }

    /** Warm-up (not reported), then {@code rounds} rounds of raw and library, the order flipping each round. */
    private <R> Map<Boolean, List<R>> alternate(String label, Side<R> side, Side<R> warmUp) throws Exception {
        if (warmUp != null) {
            for (boolean library : new boolean[] {false, true}) {
                if (runs(library)) {
                    warmUp.run(library);
                }
            }
        }
        Map<Boolean, List<R>> runs = new LinkedHashMap<>();
        runs.put(false, new ArrayList<>());
        runs.put(true, new ArrayList<>());
        for (int round = 0; round < rounds; round++) {
            for (boolean library : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                if (!runs(library)) {
                    continue;
                }
                R result = side.run(library);
                runs.get(library).add(result);
                System.err.printf(Locale.ROOT, "  %s round %d %s: %s%n", label, round + 1, library ? "library" : "raw", result);
            }
        }
        return runs;
    }

    /** Whether this run measures the library ({@code lib}) or the raw client ({@code raw}); see {@code --sides}. */
    private boolean runs(boolean library) {
        return sides.contains(library ? "lib" : "raw");
    }

    private void endToEnd(EndToEnd.Scenario scenario) throws Exception {
        EndToEnd benchmark = new EndToEnd(broker);
        int warmUp = Math.max(2000, count / 10);
        Map<Boolean, List<Run>> runs = alternate(scenario.label(),
                library -> library ? benchmark.library(scenario, count) : benchmark.raw(scenario, count),
                library -> library ? benchmark.library(scenario, warmUp) : benchmark.raw(scenario, warmUp));
        System.out.printf(Locale.ROOT, "%n## End to end: %s (%d persistent ~500-byte events, confirms in flight %d, prefetch %d, "
                + "ack each)%n%n", scenario.label(), count, EndToEnd.IN_FLIGHT, EndToEnd.PREFETCH);
        System.out.println("| side | end-to-end msg/s (median) | per round | publish msg/s | latency p50 ms | p95 ms | p99 ms | JVM CPU µs/msg |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        for (boolean library : new boolean[] {false, true}) {
            List<Run> list = runs.get(library);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.0f | %.1f | %.1f | %.1f | %.0f |%n", library ? "library" : "raw client",
                    median(list, Run::endToEndRate), perRound(list, Run::endToEndRate), median(list, Run::publishRate),
                    median(list, Run::p50), median(list, Run::p95), median(list, Run::p99), median(list, Run::cpuPerMessage));
        }
        double ratio = median(runs.get(true), Run::endToEndRate) / median(runs.get(false), Run::endToEndRate);
        double publishRatio = median(runs.get(true), Run::publishRate) / median(runs.get(false), Run::publishRate);
        double goal = scenario.observed() ? 0.85 : scenario.validator() == MessageValidator.NONE ? 0.95 : 0.80;
        System.out.printf(Locale.ROOT, "%nlib/raw: end to end **%.2f** (goal >= %.2f: %s), publish %.2f, JVM CPU per message %.2f%n",
                ratio, goal, ratio >= goal ? "met" : "NOT met", publishRatio,
                median(runs.get(true), Run::cpuPerMessage) / median(runs.get(false), Run::cpuPerMessage));
    }

    // ------------------------------------------------------------------------------------------------ retry

    private void retry(boolean delayQueues) throws Exception {
        Duration ttl = Duration.ofMillis(200);
        RetryPath benchmark = new RetryPath(broker, ttl, delayQueues);
        int retryCount = quick ? 1500 : 10000;
        int paced = quick ? 200 : 1000;
        int perSecond = quick ? 400 : 250;
        Map<Boolean, List<RetryPath.Figures>> runs = alternate("retry",
                library -> library ? benchmark.library(retryCount, paced, perSecond) : benchmark.raw(retryCount, paced, perSecond),
                null);
        System.out.printf(Locale.ROOT, "%n## Retry path%s: every message fails once, retried after TTL %d ms (%d messages flat out; "
                + "then %d paced at %d/s for the delay)%n%n", delayQueues ? " on a ladder's delay queue" : "", ttl.toMillis(),
                retryCount, paced, perSecond);
        System.out.println("| side | handled msg/s (median) | per round | delay p50 flat out ms | delay p50 paced ms | p95 ms | p99 ms |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
        for (boolean library : new boolean[] {false, true}) {
            List<RetryPath.Figures> list = runs.get(library);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.0f | %.0f | %.0f | %.0f |%n", library ? "library" : "raw client",
                    median(list, RetryPath.Figures::rate), perRound(list, RetryPath.Figures::rate),
                    median(list, RetryPath.Figures::loadedP50), median(list, RetryPath.Figures::p50),
                    median(list, RetryPath.Figures::p95), median(list, RetryPath.Figures::p99));
        }
        System.out.printf(Locale.ROOT, "%nlib/raw: handled msg/s %.2f; configured TTL %d ms%n",
                median(runs.get(true), RetryPath.Figures::rate) / median(runs.get(false), RetryPath.Figures::rate), ttl.toMillis());
    }

    // ------------------------------------------------------------------------------------------------ handler scaling

    /**
     * I/O handlers (2 ms) with a concurrency of 1, 4 and 16: rounds of the library and of Spring AMQP's listener container
     * with as many concurrent consumers (unless {@code --sides} leaves {@code spring} out), beside what as many threads
     * that only sleep attain on this machine.
     */
    private void handlers() throws Exception {
        HandlerScaling benchmark = new HandlerScaling(broker);
        SpringAmqp spring = new SpringAmqp(broker);
        int perThread = quick ? 250 : 1000;
        System.out.printf(Locale.ROOT, "%n## I/O handlers: a 2 ms handler with withConcurrency(n), draining a backlog of "
                + "n x %d messages, %d rounds; Spring AMQP with n concurrent consumers%n%n", perThread, rounds);
        System.out.println("| threads | library msg/s (median) | per round | ideal msg/s | of ideal | most at once | Spring AMQP msg/s "
                + "| library / Spring | threads that only sleep msg/s | library of that |");
        System.out.println("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (int threads : new int[] {1, 4, 16}) {
            int count = threads * perThread;
            List<HandlerScaling.Figures> library = new ArrayList<>();
            List<HandlerScaling.Figures> peer = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                for (boolean ours : round % 2 == 0 ? new boolean[] {true, false} : new boolean[] {false, true}) {
                    if (!ours && !sides.contains("spring")) {
                        continue;
                    }
                    HandlerScaling.Figures figures = ours ? benchmark.run(threads, count, 0) : spring.drain(threads, count, 2);
                    (ours ? library : peer).add(figures);
                    System.err.printf(Locale.ROOT, "  handlers %d round %d %s: %s%n", threads, round + 1, ours ? "library" : "spring",
                            figures);
                }
            }
            double rate = median(library, HandlerScaling.Figures::rate);
            double springRate = median(peer, HandlerScaling.Figures::rate);
            double ideal = library.get(0).ideal();
            double attainable = HandlerScaling.attainable(threads, Math.min(count, threads * 500));
            System.out.printf(Locale.ROOT, "| %d | %.0f | %s | %.0f | **%.0f %%** | %d | %.0f | %.2f | %.0f | %.0f %% |%n", threads, rate,
                    perRound(library, HandlerScaling.Figures::rate), ideal, 100 * rate / ideal,
                    library.stream().mapToInt(HandlerScaling.Figures::most).max().orElse(0), springRate, rate / springRate,
                    attainable, 100 * rate / attainable);
        }
    }

    /** 16 threads ordered over 1000 keys against one thread ordered (the only ordered handling without keys). */
    private void ordered() throws Exception {
        HandlerScaling benchmark = new HandlerScaling(broker);
        int count = quick ? 4000 : 16000;
        System.out.printf(Locale.ROOT, "%n## Ordered per key: a 2 ms handler ordered by a key over 1000 keys, %d messages "
                + "(1 thread: %d), %d rounds%n%n", count, count / 8, rounds);
        System.out.println("| threads | handled msg/s (median) | per round | ideal msg/s | of ideal | most at once | order violations |");
        System.out.println("| ---: | ---: | --- | ---: | ---: | ---: | ---: |");
        double single = scalingRow("1, ordered", benchmark, 1, count / 8, 1000);
        double sixteen = scalingRow("16, ordered by key", benchmark, 16, count, 1000);
        System.out.printf(Locale.ROOT, "%n16 threads ordered by key / 1 thread ordered: %.1fx (goal >= 8x)%n", sixteen / single);
    }

    private double scalingRow(String label, HandlerScaling benchmark, int threads, int count, int keys) throws Exception {
        List<HandlerScaling.Figures> runs = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            HandlerScaling.Figures figures = benchmark.run(threads, count, keys);
            System.err.printf(Locale.ROOT, "  %s round %d: %s%n", label, round + 1, figures);
            runs.add(figures);
        }
        double rate = median(runs, HandlerScaling.Figures::rate);
        double ideal = runs.get(0).ideal();
        String violations = keys > 0 ? String.format(Locale.ROOT, " %d |", runs.stream()
                .mapToLong(HandlerScaling.Figures::violations).sum()) : "";
        System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.0f | %.0f %% | %d |%s%n", label, rate,
                perRound(runs, HandlerScaling.Figures::rate), ideal, 100 * rate / ideal,
                runs.stream().mapToInt(HandlerScaling.Figures::most).max().orElse(0), violations);
        return rate;
    }

    // ------------------------------------------------------------------------------------------------ scale

    /**
     * Cost as the work grows ({@link Scale}): for 10, 100 and 1000 subscriptions (quick: 10 and 100), declaring the topology three ways in
     * rotating order, then each side at rest and publishing, the order flipping every round.
     */
    private void scale() throws Exception {
        Scale benchmark = new Scale(broker, Math.max(2000, count / 4));
        Scale.Declaring[] ways = Scale.Declaring.values();
        Map<Integer, Map<Scale.Declaring, List<Double>>> declared = new LinkedHashMap<>();
        Map<Integer, Map<Boolean, List<Scale.Figures>>> sides = new LinkedHashMap<>();
        Map<Integer, String> shapes = new LinkedHashMap<>();
        for (int n : quick ? new int[] {10, 100} : new int[] {10, 100, 1000}) { // 1000 declares for ~10 s a round
            try (Scale.Service service = benchmark.new Service(n)) {
                shapes.put(n, Scale.describe(service.topology));
                Map<Scale.Declaring, List<Double>> times = new LinkedHashMap<>();
                for (Scale.Declaring way : ways) {
                    times.put(way, new ArrayList<>());
                    service.declare(way); // warm-up, not reported
                    service.delete();
                }
                for (int round = 0; round < rounds; round++) {
                    for (int i = 0; i < ways.length; i++) {
                        Scale.Declaring way = ways[(i + round) % ways.length];
                        double millis = service.declare(way);
                        service.delete();
                        times.get(way).add(millis);
                        System.err.printf(Locale.ROOT, "  scale %d round %d %s: %.0f ms%n", n, round + 1, way, millis);
                    }
                }
                declared.put(n, times);
                service.declare(Scale.Declaring.LIBRARY);
                Map<Boolean, List<Scale.Figures>> figures = alternate("scale " + n,
                        library -> library ? service.library() : service.raw(), null);
                sides.put(n, figures);
            }
        }
        System.out.printf(Locale.ROOT, "%n## Cost as the work grows: declaring a service's topology (median of %d rounds, "
                + "order rotating, on an empty broker each time)%n%n", rounds);
        System.out.println("| subscriptions | exchanges / queues / bindings | configure() ms | raw pipelined ms | raw one round trip "
                + "each ms | configure / raw pipelined |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: |");
        for (var entry : declared.entrySet()) {
            double library = median(entry.getValue().get(Scale.Declaring.LIBRARY), Double::doubleValue);
            double pipelined = median(entry.getValue().get(Scale.Declaring.RAW_PIPELINED), Double::doubleValue);
            double blocking = median(entry.getValue().get(Scale.Declaring.RAW_BLOCKING), Double::doubleValue);
            System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.0f | **%.2f** (goal <= 1.5: %s) |%n", entry.getKey(),
                    shapes.get(entry.getKey()), library, pipelined, blocking, library / pipelined, library / pipelined <= 1.5 ? "met" : "NOT met");
        }
        System.out.printf(Locale.ROOT, "%n## Cost as the work grows: consuming every handler queue, at rest and publishing "
                + "(%d persistent ~500-byte events per run, confirms in flight %d; median of %d rounds)%n%n",
                Math.max(2000, count / 4), EndToEnd.IN_FLIGHT, rounds);
        System.out.println("| subscriptions | side | start ms | threads at rest | channels at rest | heap at rest MB | publish msg/s, "
                + "1 thread | 16 threads |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (var entry : sides.entrySet()) {
            for (boolean library : new boolean[] {false, true}) {
                List<Scale.Figures> list = entry.getValue().get(library);
                System.out.printf(Locale.ROOT, "| %d | %s | %.0f | %.0f | %.0f | %.1f | %.0f | %.0f |%n", entry.getKey(),
                        library ? "library" : "raw client", median(list, Scale.Figures::startMillis),
                        median(list, Scale.Figures::threads), median(list, Scale.Figures::channels),
                        median(list, Scale.Figures::heapMb), median(list, Scale.Figures::publishOne),
                        median(list, Scale.Figures::publishSixteen));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ delay

    /** Delay accuracy of a ladder's delay queues: actual minus configured delay, per message, paced at 250/s. */
    private void delay() throws Exception {
        int perSecond = 250;
        int messages = quick ? 1000 : 10000;
        System.out.printf(Locale.ROOT, "%n## Delay accuracy: %d messages at %d/s, each failing once, retried on "
                + "RetryPolicy.ladder(1, delay)%n%n", messages, perSecond);
        System.out.println("| delay | p50 actual - configured ms | p99 ms | max ms | goal: p50 and p99 within ms | met |");
        System.out.println("| ---: | ---: | ---: | ---: | ---: | --- |");
        for (long millis : new long[] {200, 2000, 30000}) {
            Recorder recorder = new RetryPath(broker, Duration.ofMillis(millis), true).delayAccuracy(messages, perSecond);
            double p50 = recorder.percentileMillis(50) - millis;
            double p99 = recorder.percentileMillis(99) - millis;
            double max = recorder.percentileMillis(100) - millis;
            double goal = Math.max(100, millis * 0.10);
            System.out.printf(Locale.ROOT, "| %d ms | %.1f | %.1f | %.1f | %.0f | %s |%n", millis, p50, p99, max, goal,
                    Math.abs(p50) <= goal && Math.abs(p99) <= goal ? "yes" : "NO");
            System.err.printf(Locale.ROOT, "  delay %d ms done%n", millis);
        }
    }

    // ------------------------------------------------------------------------------------------------ memory

    private void memory() throws Exception {
        Memory benchmark = new Memory(broker);
        int small = backlog / 10;
        Map<String, Memory.Figures> figures = new LinkedHashMap<>();
        for (int size : new int[] {small, backlog}) {
            figures.put("raw client|" + size, benchmark.raw(size));
            figures.put("library|" + size, benchmark.library(size));
            System.err.printf(Locale.ROOT, "  memory %d done%n", size);
        }
        System.out.printf(Locale.ROOT, "%n## Memory: one consumer (prefetch %d) draining a backlog, in a fresh JVM (%s), "
                + "sampled every 20 ms%n%n", EndToEnd.PREFETCH, Memory.CHILD_HEAP);
        System.out.println("| side | backlog | consumed msg/s | peak heap used MB | max heap after GC MB | GCs | peak RSS MB |");
        System.out.println("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        for (String side : new String[] {"raw client", "library"}) {
            for (int size : new int[] {small, backlog}) {
                Memory.Figures f = figures.get(side + "|" + size);
                System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.1f | %d | %.0f |%n", side, size, f.rate(),
                        f.peakHeapUsed() / 1048576.0, f.peakHeapAfterGc() / 1048576.0, f.collections(), f.peakRss() / 1048576.0);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ outbox

    private void outbox() throws Exception {
        OutboxRelay benchmark = new OutboxRelay(broker, batch);
        int paced = quick ? 3000 : 20000;
        int perSecond = 1000;
        int warmUp = Math.max(2000, count / 10);
        // "library" is the outbox side here, "raw" the direct publish
        Map<Boolean, List<Run>> runs = alternate("outbox",
                outbox -> benchmark.run(outbox, count, paced, perSecond),
                outbox -> benchmark.run(outbox, warmUp, Math.min(paced, 1000), perSecond));
        System.out.printf(Locale.ROOT, "%n## Outbox on PostgreSQL: relay throughput beside direct confirmed publishing (%d persistent "
                + "~500-byte events; confirms in flight %d, prefetch %d), then latency at %d msg/s (%d events)%n%n",
                count, EndToEnd.IN_FLIGHT, EndToEnd.PREFETCH, perSecond, paced);
        System.out.println("| side | sent msg/s (median) | per round | latency p50 at " + perSecond + "/s ms | p95 ms | p99 ms "
                + "| JVM CPU µs/msg |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: |");
        for (boolean outbox : new boolean[] {false, true}) {
            List<Run> list = runs.get(outbox);
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.1f | %.1f | %.1f | %.0f |%n",
                    outbox ? "outbox relay (batches of " + batch + ")" : "direct publishAsync", median(list, Run::publishRate),
                    perRound(list, Run::publishRate), median(list, Run::p50), median(list, Run::p95), median(list, Run::p99),
                    median(list, Run::cpuPerMessage));
        }
        double ratio = median(runs.get(true), Run::publishRate) / median(runs.get(false), Run::publishRate);
        double added = median(runs.get(true), Run::p50) - median(runs.get(false), Run::p50);
        System.out.printf(Locale.ROOT, "%noutbox/direct: throughput **%.2f** (goal >= 0.50: %s); added p50 latency at %d msg/s "
                + "**%.1f ms** (goal < 50 ms: %s); PostgreSQL at %s%n", ratio, ratio >= 0.5 ? "met" : "NOT met", perSecond,
                added, added < 50 ? "met" : "NOT met", benchmark.url());
    }

    // ------------------------------------------------------------------------------------------------ figures

    static <R> double median(List<R> runs, ToDoubleFunction<R> figure) {
        double[] values = runs.stream().mapToDouble(figure).sorted().toArray();
        int n = values.length;
        if (n == 0) {
            return Double.NaN;
        }
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    static <R> String perRound(List<R> runs, ToDoubleFunction<R> figure) {
        return String.join(" / ", runs.stream().map(r -> String.format(Locale.ROOT, "%.0f", figure.applyAsDouble(r))).toList());
    }
}
