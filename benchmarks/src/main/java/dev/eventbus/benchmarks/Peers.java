package dev.eventbus.benchmarks;

import dev.eventbus.core.MessageValidator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The library beside its peers in one run: the raw amqp-client, the library, Spring AMQP ({@link SpringAmqp}) and, flat
 * out only, RabbitMQ's PerfTest ({@link PerfTestSide}), in the end-to-end shape, flat out ({@code e2e}) and at fixed
 * rates ({@code latency}). Rounds interleave the sides, the order rotating every round (raw, lib, spring, perftest;
 * lib, spring, perftest, raw; ...), after one unmeasured warm-up run of each; medians are reported.
 */
final class Peers {

    private static final List<String> ORDER = List.of("raw", "lib", "spring", "perftest");
    private static final Map<String, String> LABELS = Map.of("raw", "raw client", "lib", "library", "spring", "Spring AMQP",
            "perftest", "PerfTest");

    private final Broker broker;
    private final int rounds;
    private final Set<String> sides;
    private final boolean quick;

    Peers(Broker broker, int rounds, Set<String> sides, boolean quick) {
        this.broker = broker;
        this.rounds = rounds;
        this.sides = sides;
        this.quick = quick;
    }

    /** One run of one side: {@code count} messages, one every {@code intervalNanos} (0: flat out). */
    private Run run(String side, int count, long intervalNanos, Recorder recorder) throws Exception {
        EndToEnd.Scenario scenario = new EndToEnd.Scenario("1 producer, 1 consumer", 1, MessageValidator.NONE);
        return switch (side) {
            case "raw" -> new EndToEnd(broker).raw(scenario, count, intervalNanos, recorder);
            case "lib" -> new EndToEnd(broker).library(scenario, count, intervalNanos, recorder);
            case "spring" -> new SpringAmqp(broker).run(count, intervalNanos, recorder);
            case "perftest" -> {
                if (intervalNanos != 0) {
                    throw new IllegalArgumentException("PerfTest is a side of the flat-out end-to-end benchmark only");
                }
                yield new PerfTestSide(broker).run(count);
            }
            default -> throw new IllegalArgumentException(side);
        };
    }

    /** The sides of this run, in the order of the given round (PerfTest only when {@code withPerfTest}). */
    private List<String> order(int round, boolean withPerfTest) {
        List<String> all = withPerfTest ? ORDER : ORDER.subList(0, ORDER.size() - 1);
        List<String> order = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            String side = all.get((i + round) % all.size());
            if (sides.contains(side)) {
                order.add(side);
            }
        }
        return order;
    }

    /** Flat out: the end-to-end table with a row per side and the library's ratio to each peer. */
    void endToEnd(int count) throws Exception {
        int warmUp = Math.max(2000, count / 10);
        for (String side : order(0, true)) {
            run(side, warmUp, 0, new Recorder(warmUp));
        }
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            for (String side : order(round, true)) {
                Run result = run(side, count, 0, new Recorder(count));
                runs.computeIfAbsent(side, s -> new ArrayList<>()).add(result);
                System.err.printf(Locale.ROOT, "  e2e round %d %s: %s%n", round + 1, side, result);
            }
        }
        System.out.printf(Locale.ROOT, "%n## End to end: 1 producer, 1 consumer, beside the raw client, Spring AMQP and PerfTest (%d "
                + "persistent ~500-byte events, confirms in flight %d, prefetch %d, ack each)%n%n", count, EndToEnd.IN_FLIGHT,
                EndToEnd.PREFETCH);
        System.out.println("| side | end-to-end msg/s (median) | per round | publish msg/s | latency p50 ms | p95 ms | p99 ms | JVM CPU µs/msg |");
        System.out.println("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        for (String side : ORDER) {
            List<Run> list = runs.getOrDefault(side, List.of());
            if (list.isEmpty()) {
                continue;
            }
            System.out.printf(Locale.ROOT, "| %s | %.0f | %s | %.0f | %.1f | %.1f | %.1f | %.0f |%n", LABELS.get(side),
                    BenchmarkMain.median(list, Run::endToEndRate), BenchmarkMain.perRound(list, Run::endToEndRate),
                    BenchmarkMain.median(list, Run::publishRate), BenchmarkMain.median(list, Run::p50),
                    BenchmarkMain.median(list, Run::p95), BenchmarkMain.median(list, Run::p99),
                    BenchmarkMain.median(list, Run::cpuPerMessage));
        }
        System.out.println();
        for (String peer : List.of("raw", "spring", "perftest")) {
            double rate = ratio(runs, peer, Run::endToEndRate);
            double cpu = ratio(runs, peer, Run::cpuPerMessage);
            String goal = switch (peer) {
                case "raw" -> String.format(Locale.ROOT, " (goal >= 0.97: %s; CPU goal <= 1.10: %s)",
                        rate >= 0.97 ? "met" : "NOT met", cpu <= 1.10 ? "met" : "NOT met");
                case "perftest" -> String.format(Locale.ROOT, " (goal >= 1.0: %s)", rate >= 1.0 ? "met" : "NOT met");
                default -> "";
            };
            System.out.printf(Locale.ROOT, "library/%s: end to end **%.2f**, JVM CPU per message %.2f%s%n", LABELS.get(peer), rate,
                    cpu, goal);
        }
    }

    /** At fixed rates: per-second latency percentiles (PerfTest's report) of each side, summarised over the seconds. */
    void latency() throws Exception {
        int seconds = quick ? 5 : 20;
        System.out.printf(Locale.ROOT, "%n## Latency at a fixed rate: 1 producer, 1 consumer (%d s per run, persistent "
                + "~500-byte events, confirms in flight %d, prefetch %d); per-second percentiles, the median second and the "
                + "worst%n%n", seconds, EndToEnd.IN_FLIGHT, EndToEnd.PREFETCH);
        System.out.println("| rate msg/s | side | p50 ms (median second) | p95 ms | p99 ms | worst second's p99 ms | JVM CPU µs/msg |");
        System.out.println("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        List<String> verdicts = new ArrayList<>();
        for (int rate : new int[] {2000, 5000}) {
            long interval = 1_000_000_000L / rate;
            int count = rate * seconds;
            for (String side : order(0, false)) {
                run(side, rate, interval, new Recorder(rate)); // one second, unmeasured
            }
            Map<String, List<double[]>> figures = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String side : order(round, false)) {
                    Recorder recorder = new Recorder(count);
                    Run result = run(side, count, interval, recorder);
                    double[] summary = summary(recorder.perSecondMillis(), result.cpuPerMessage());
                    figures.computeIfAbsent(side, s -> new ArrayList<>()).add(summary);
                    System.err.printf(Locale.ROOT, "  latency %d/s round %d %s: p50 %.2f p95 %.2f p99 %.2f worst p99 %.2f ms%n",
                            rate, round + 1, side, summary[0], summary[1], summary[2], summary[3]);
                }
            }
            Map<String, double[]> medians = new LinkedHashMap<>();
            for (String side : ORDER) {
                List<double[]> list = figures.getOrDefault(side, List.of());
                if (list.isEmpty()) {
                    continue;
                }
                double[] median = new double[5];
                for (int i = 0; i < median.length; i++) {
                    int figure = i;
                    median[i] = BenchmarkMain.median(list, f -> f[figure]);
                }
                medians.put(side, median);
                System.out.printf(Locale.ROOT, "| %d | %s | %.2f | %.2f | %.2f | %.2f | %.0f |%n", rate, LABELS.get(side), median[0],
                        median[1], median[2], median[3], median[4]);
            }
            if (medians.containsKey("lib") && medians.containsKey("raw")) {
                double p50 = medians.get("lib")[0] / medians.get("raw")[0];
                double p99 = medians.get("lib")[2] / medians.get("raw")[2];
                verdicts.add(String.format(Locale.ROOT, "at %d msg/s library/raw: p50 **%.2f**%s, p99 **%.2f**%s", rate, p50,
                        rate == 2000 ? (p50 <= 1.2 ? " (goal <= 1.2: met)" : " (goal <= 1.2: NOT met)") : "", p99,
                        rate == 2000 ? (p99 <= 2 ? " (goal <= 2: met)" : " (goal <= 2: NOT met)") : ""));
            }
        }
        System.out.println();
        verdicts.forEach(System.out::println);
    }

    /** The median second's p50, p95 and p99, the worst second's p99, and the CPU per message. */
    private static double[] summary(List<double[]> perSecond, double cpu) {
        return new double[] {BenchmarkMain.median(perSecond, s -> s[0]), BenchmarkMain.median(perSecond, s -> s[1]),
                BenchmarkMain.median(perSecond, s -> s[2]), perSecond.stream().mapToDouble(s -> s[2]).max().orElse(Double.NaN), cpu};
    }

    private static double ratio(Map<String, List<Run>> runs, String peer, java.util.function.ToDoubleFunction<Run> figure) {
        if (!runs.containsKey("lib") || !runs.containsKey(peer)) {
            return Double.NaN;
        }
        return BenchmarkMain.median(runs.get("lib"), figure) / BenchmarkMain.median(runs.get(peer), figure);
    }
}
