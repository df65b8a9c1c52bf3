package dev.eventbus.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A progress display on stderr: counts, percentage and rate. As a bar ({@code [#######.....] 120/300 40% 55/s}, redrawn
 * in place at most ten times a second) on a terminal, as plain lines (at most one a second, and one at the end) elsewhere, so that logs of
 * scripts stay readable. Not thread-safe: one operation updates it.
 */
final class Progress implements AutoCloseable {

    private static final int WIDTH = 30;
    private static final long LINE_INTERVAL_NANOS = 1_000_000_000L;
    private static final long BAR_INTERVAL_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final String what;
    private final Output.ProgressMode mode;
    private final LongSupplier clock;
    private final long started;
    private long total;
    private long done;
    private long lastLine;
    private boolean drawn;
    private String detail = "";

    Progress(PrintWriter err, String what, long total, Output.ProgressMode mode, LongSupplier clock) {
        this.err = err;
        this.what = what;
        this.total = Math.max(0, total);
        this.mode = mode;
        this.clock = clock;
        this.started = clock.getAsLong();
        this.lastLine = started;
    }

    /** Sets the count done (and the total, which may grow while the operation runs). */
    void update(long done, long total) {
        this.done = done;
        this.total = Math.max(total, done);
        long now = clock.getAsLong();
        if (mode == Output.ProgressMode.BAR && (!drawn || now - lastLine >= BAR_INTERVAL_NANOS)) {
            err.print("\r" + render(now));
            err.flush();
            drawn = true;
            lastLine = now;
        } else if (mode == Output.ProgressMode.LINES && now - lastLine >= LINE_INTERVAL_NANOS) {
            err.println(render(now));
            err.flush();
            lastLine = now;
        }
    }

    /**
     * Sets the count done and a second count shown after it, e.g. letters examined and, of them, {@code "12 replayed"}.
     */
    void update(long done, long total, String detail) {
        this.detail = detail.isEmpty() ? "" : ", " + detail;
        update(done, total);
    }

    /** One more item done. */
    void step() {
        update(done + 1, total);
    }

    /** The display's text at {@code now}: the bar (with a known total), the counts, the percentage and the rate. */
    String render(long now) {
        double seconds = Math.max((now - started) / 1e9, 1e-3);
        String rate = String.format(Locale.ROOT, "%.0f/s", done / seconds);
        if (total == 0) {
            return what + " " + done + detail + " " + rate;
        }
        int filled = (int) (WIDTH * done / total);
        return "[" + "#".repeat(filled) + ".".repeat(WIDTH - filled) + "] " + done + "/" + total + " "
                + (100 * done / total) + "% " + what + detail + " " + rate;
    }

    /** Ends the display: the final counts on a line of their own. */
    @Override
    public void close() {
        if (mode == Output.ProgressMode.NONE) {
            return;
        }
        String last = render(clock.getAsLong());
        err.print(mode == Output.ProgressMode.BAR && drawn ? "\r" + last + "\n" : last + "\n");
        err.flush();
    }
}
