package dev.slaprof.sink;

import dev.slaprof.domain.interp.DecodeGrid;
import dev.slaprof.domain.interp.PrefillInterpolator;
import dev.slaprof.schema.avro.CostRow;
import dev.slaprof.schema.avro.PerfPoint;
import dev.slaprof.schema.avro.Recommendation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.Rectangle;
import java.awt.TexturePaint;
import java.awt.Paint;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.LegendItem;
import org.jfree.chart.LegendItemCollection;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.PaintScale;
import org.jfree.chart.renderer.xy.XYBlockRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.PaintScaleLegend;
import org.jfree.chart.ui.RectangleEdge;
import org.jfree.data.xy.DefaultXYZDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The PNG plots of Dynamo's profiler output, drawn with JFreeChart (headless): prefill and decode performance with
 * the SLA lines, the cost curves, the prefill interpolation curves and the decode ITL and throughput heat maps.
 * Axes carry units; titles say whether the data is SIMULATED or measured.
 */
public final class Plots {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 650;

    static {
        System.setProperty("java.awt.headless", "true");
    }

    private Plots() {
    }

    /** Writes every plot the recommendation supports into {@code dir}; returns how many were written. */
    public static int write(final Recommendation r, final PlannerView view, final Path dir) throws IOException {
        int n = 0;
        final String src = " (" + r.getDataSource() + " data)";
        if (!r.getPrefillPoints().isEmpty()) {
            save(performance(r, true, src), dir.resolve("prefill_performance.png"));
            n++;
        }
        if (!r.getDecodePoints().isEmpty()) {
            save(performance(r, false, src), dir.resolve("decode_performance.png"));
            n++;
        }
        if (!r.getCostTable().isEmpty()) {
            save(cost(r, src), dir.resolve("cost_sla.png"));
            n++;
        }
        try {
            final PrefillInterpolator p = view.prefill();
            save(prefillCurve(r, p, true, src), dir.resolve("selected_prefill_interpolation")
                .resolve("prefill_ttft_interpolation.png"));
            save(prefillCurve(r, p, false, src), dir.resolve("selected_prefill_interpolation")
                .resolve("prefill_throughput_interpolation.png"));
            n += 2;
        } catch (final IllegalStateException e) {
            // Incomplete prefill table: no curve to draw; the reason is in recommendation.json.
        }
        try {
            final DecodeGrid g = view.grid();
            save(heat(g, true, src), dir.resolve("selected_decode_interpolation").resolve("decode_itl_interpolation.png"));
            save(heat(g, false, src), dir.resolve("selected_decode_interpolation")
                .resolve("decode_throughput_interpolation.png"));
            n += 2;
        } catch (final IllegalStateException e) {
            // Incomplete decode table: nothing to draw.
        }
        return n;
    }

    static JFreeChart performance(final Recommendation r, final boolean prefill, final String src) {
        final Map<String, XYSeries> series = new LinkedHashMap<>();
        for (final PerfPoint p : prefill ? r.getPrefillPoints() : r.getDecodePoints()) {
            final String name = p.getMapping().getGpus() + " GPU(s) [" + p.getLabel() + "]";
            series.computeIfAbsent(name, k -> new XYSeries(k, true)).add(p.getLatencyMs(), p.getThptPerGpu());
        }
        final XYSeriesCollection data = new XYSeriesCollection();
        series.values().forEach(data::addSeries);
        final String what = prefill ? "TTFT" : "ITL";
        final JFreeChart chart = ChartFactory.createXYLineChart((prefill ? "Prefill" : "Decode") + " performance"
                + src, what + " (ms)", (prefill ? "Prefill" : "Decode") + " throughput (tokens/s/GPU)", data,
            PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        final var renderer = new XYLineAndShapeRenderer(!prefill, true);
        plot.setRenderer(renderer);
        final ValueMarker target = new ValueMarker(prefill ? r.getSla().getTtftMs() : r.getSla().getItlMs(), Color.RED,
            new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {8f, 6f}, 0f));
        target.setLabel("target " + what);
        plot.addDomainMarker(target);
        return chart;
    }

    private static JFreeChart cost(final Recommendation r, final String src) {
        final Map<Integer, XYSeries> lines = new LinkedHashMap<>();
        for (final CostRow c : r.getCostTable()) {
            lines.computeIfAbsent(c.getPrefillIndex(), k -> new XYSeries(String.format(Locale.ROOT, "TTFT: %.2fms",
                c.getPrefillTtftMs()), true)).add(c.getTokensPerUser(), c.getGpuHours());
        }
        final XYSeriesCollection data = new XYSeriesCollection();
        lines.values().forEach(data::addSeries);
        final JFreeChart chart = ChartFactory.createXYLineChart(String.format(Locale.ROOT,
                "GPU hours per 1000 i%do%d requests%s", r.getSla().getIsl(), r.getSla().getOsl(), src),
            "Tokens per user (tokens/s)", "GPU hours per 1000 requests", data, PlotOrientation.VERTICAL, true, false,
            false);
        chart.getXYPlot().setRenderer(new XYLineAndShapeRenderer(true, true));
        return chart;
    }

    private static JFreeChart prefillCurve(final Recommendation r, final PrefillInterpolator p, final boolean ttft,
                                           final String src) {
        final var t = r.getPrefillTable();
        final XYSeries measured = new XYSeries("measured", true);
        for (int i = 0; i < t.getPrefillIsl().size(); i++) {
            measured.add(t.getPrefillIsl().get(i).doubleValue(), ttft ? t.getPrefillTtft().get(i)
                : t.getPrefillThptPerGpu().get(i));
        }
        final XYSeries spline = new XYSeries("not-a-knot cubic spline (planner)", true);
        final double lo = t.getPrefillIsl().get(0);
        final double hi = t.getPrefillIsl().get(t.getPrefillIsl().size() - 1);
        for (int k = 0; k <= 200; k++) {
            final double isl = lo + (hi - lo) * k / 200;
            spline.add(isl, ttft ? p.interpolateTtft(isl) : p.interpolateThptPerGpu(isl));
        }
        final XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(measured);
        data.addSeries(spline);
        final JFreeChart chart = ChartFactory.createXYLineChart((ttft ? "Prefill TTFT" : "Prefill throughput")
                + " vs ISL, " + r.getPrefill().getPoint().getLabel() + src, "ISL (tokens)",
            ttft ? "TTFT (ms)" : "Throughput (tokens/s/GPU)", data, PlotOrientation.VERTICAL, true, false, false);
        final var renderer = new XYLineAndShapeRenderer();
        renderer.setSeriesLinesVisible(0, false);
        renderer.setSeriesShapesVisible(1, false);
        chart.getXYPlot().setRenderer(renderer);
        return chart;
    }

    /**
     * A decode heat map. Cells inside the measured points' convex hull are painted from the colour scale; cells
     * outside it (filled from the nearest measured value, not interpolated) are drawn hatched and paler, with a
     * legend entry saying so, so extrapolation never passes for measurement.
     */
    static JFreeChart heat(final DecodeGrid g, final boolean itl, final String src) {
        final int n = g.xi().length;
        final double[][] in = new double[3][n * n];
        final double[][] out = new double[3][n * n];
        int ni = 0;
        int no = 0;
        double lo = Double.MAX_VALUE;
        double hi = -Double.MAX_VALUE;
        for (int iy = 0; iy < n; iy++) {
            for (int ix = 0; ix < n; ix++) {
                final double z = itl ? g.itl()[iy][ix] : g.thpt()[iy][ix];
                final double[][] into = g.extrapolated()[iy][ix] ? out : in;
                final int k = g.extrapolated()[iy][ix] ? no++ : ni++;
                into[0][k] = g.xi()[ix] * 100;
                into[1][k] = g.yi()[iy];
                into[2][k] = z;
                lo = Math.min(lo, z);
                hi = Math.max(hi, z);
            }
        }
        final double min = lo;
        final double max = hi > lo ? hi : lo + 1;
        final PaintScale scale = new HeatScale(min, max, false);
        final XYPlot plot = new XYPlot(null, new NumberAxis("Active KV (%)"), new NumberAxis("Decode context length "
            + "(tokens)"), null);
        plot.setDataset(0, xyz("measured region", in, ni));
        plot.setRenderer(0, blocks(g, scale));
        plot.setDataset(1, xyz("extrapolated", out, no));
        final HeatScale hatched = new HeatScale(min, max, true);
        plot.setRenderer(1, blocks(g, hatched));
        final LegendItemCollection items = new LegendItemCollection();
        items.add(new LegendItem("hatched: outside the measured points (nearest measured value, extrapolated)",
            null, null, null, new Rectangle(0, 0, 14, 14), hatched.getPaint(min)));
        plot.setFixedLegendItems(items);
        final JFreeChart chart = new JFreeChart((itl ? "Decode ITL (ms)" : "Decode throughput (tokens/s/GPU)")
            + " over KV usage and context" + src, plot);
        chart.getLegend().setPosition(RectangleEdge.BOTTOM);
        final PaintScaleLegend legend = new PaintScaleLegend(scale, new NumberAxis(itl ? "ITL (ms)"
            : "tokens/s/GPU"));
        legend.setPosition(RectangleEdge.RIGHT);
        chart.addSubtitle(legend);
        return chart;
    }

    private static DefaultXYZDataset xyz(final String key, final double[][] cells, final int count) {
        final DefaultXYZDataset data = new DefaultXYZDataset();
        data.addSeries(key, new double[][] {Arrays.copyOf(cells[0], count), Arrays.copyOf(cells[1], count),
            Arrays.copyOf(cells[2], count)});
        return data;
    }

    private static XYBlockRenderer blocks(final DecodeGrid g, final PaintScale scale) {
        final XYBlockRenderer r = new XYBlockRenderer();
        r.setBlockWidth(100.0 / (g.xi().length - 1));
        r.setBlockHeight(g.yi()[1] - g.yi()[0]);
        r.setPaintScale(scale);
        return r;
    }

    /** Blue (low) to red (high); the hatched variant is paler, with dark diagonal strokes (cached per colour step). */
    private static final class HeatScale implements PaintScale {
        private static final int STEPS = 256;
        private final double min;
        private final double max;
        private final boolean hatched;
        private final Paint[] cache = new Paint[STEPS + 1];

        HeatScale(final double min, final double max, final boolean hatched) {
            this.min = min;
            this.max = max;
            this.hatched = hatched;
        }

        @Override
        public double getLowerBound() {
            return min;
        }

        @Override
        public double getUpperBound() {
            return max;
        }

        @Override
        public Paint getPaint(final double v) {
            final int step = (int) Math.round(STEPS * Math.max(0, Math.min(1, (v - min) / (max - min))));
            if (cache[step] == null) {
                final float f = (float) step / STEPS;
                final Color c = Color.getHSBColor(0.66f * (1 - f), hatched ? 0.35f : 0.85f, 0.95f);
                cache[step] = hatched ? hatch(c) : c;
            }
            return cache[step];
        }

        private static Paint hatch(final Color base) {
            final BufferedImage tile = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
            final Graphics2D g = tile.createGraphics();
            g.setColor(base);
            g.fillRect(0, 0, 8, 8);
            g.setColor(new Color(60, 60, 60));
            g.drawLine(0, 7, 7, 0);
            g.dispose();
            return new TexturePaint(tile, new Rectangle(0, 0, 8, 8));
        }
    }

    /**
     * Renders and writes one PNG with a fast deflate level: the default (level 9) took most of a folder's write time
     * on the 2-core machine for files a few percent smaller.
     */
    private static void save(final JFreeChart chart, final Path file) throws IOException {
        Files.createDirectories(file.getParent());
        final BufferedImage image = chart.createBufferedImage(WIDTH, HEIGHT);
        final ImageWriter png = ImageIO.getImageWritersByFormatName("png").next();
        Files.deleteIfExists(file);
        try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
            png.setOutput(out);
            final ImageWriteParam param = png.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            // Quality 1 - level/9 in the JDK's PNG writer: 0.8 is deflate level 2.
            param.setCompressionQuality(0.8f);
            png.write(null, new IIOImage(image, null, null), param);
        } finally {
            png.dispose();
        }
    }
}
