package dev.slaprof.profiler;

import dev.slaprof.schema.Mappings;
import dev.slaprof.schema.avro.Mapping;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Packs candidate engines onto the GPUs of {@code --gpus} in waves: the engines of one wave run at once on disjoint
 * devices, and the next wave starts when the previous one has been swept and stopped. Packing is first-fit
 * decreasing by GPU count (candidate order breaks ties), so on 8 GPUs TP=1, 2, 4 and 8 run as [TP=8] then
 * [TP=4, TP=2, TP=1] on devices 0-3, 4-5 and 6: power-of-two engines placed largest first land on aligned device
 * blocks. Without devices (CPU engines) every candidate is one wave.
 */
public final class GpuWaves {
    /** One engine's place: its wave and its devices (empty on CPU). */
    public record Slot(Mapping mapping, int wave, List<Integer> devices) {
    }

    /** The plan: the slots in candidate order, and the candidates that need more GPUs than --gpus gives. */
    public record Plan(List<Slot> slots, List<Mapping> tooLarge, int waves) {
    }

    private GpuWaves() {
    }

    public static Plan plan(final List<Mapping> candidates, final List<Integer> devices) {
        if (devices.isEmpty()) {
            return new Plan(candidates.stream().map(m -> new Slot(m, 0, List.of())).toList(), List.of(),
                candidates.isEmpty() ? 0 : 1);
        }
        final List<Mapping> tooLarge = new ArrayList<>();
        final List<Integer> order = new ArrayList<>();
        for (int i = 0; i < candidates.size(); i++) {
            if (candidates.get(i).getGpus() > devices.size()) {
                tooLarge.add(candidates.get(i));
            } else {
                order.add(i);
            }
        }
        order.sort(Comparator.comparingInt((Integer i) -> -candidates.get(i).getGpus()).thenComparingInt(i -> i));
        final List<Integer> used = new ArrayList<>();
        final Slot[] slots = new Slot[candidates.size()];
        for (final int i : order) {
            final int need = candidates.get(i).getGpus();
            int wave = 0;
            while (wave < used.size() && used.get(wave) + need > devices.size()) {
                wave++;
            }
            if (wave == used.size()) {
                used.add(0);
            }
            final int from = used.get(wave);
            slots[i] = new Slot(candidates.get(i), wave, List.copyOf(devices.subList(from, from + need)));
            used.set(wave, from + need);
        }
        final List<Slot> placed = new ArrayList<>();
        for (final Slot s : slots) {
            if (s != null) {
                placed.add(s);
            }
        }
        return new Plan(List.copyOf(placed), List.copyOf(tooLarge), used.size());
    }

    /** One OpenMP core list per TP rank over {@code cores} cores, "|"-separated: 2 ranks on 2 cores is "0|1". */
    public static String cpuBind(final int tp, final int cores) {
        if (tp <= 1) {
            return "auto";
        }
        final List<String> ranks = new ArrayList<>();
        final int per = Math.max(1, cores / tp);
        for (int r = 0; r < tp; r++) {
            final int a = (r * per) % cores;
            final int b = Math.min(cores - 1, a + per - 1);
            ranks.add(a == b ? Integer.toString(a) : a + "-" + b);
        }
        return String.join("|", ranks);
    }

    /** "wave 1: TP=8 on GPUs [0..7]; wave 2: ..." for the console. */
    public static String describe(final Plan p) {
        final StringBuilder b = new StringBuilder();
        for (int w = 0; w < p.waves(); w++) {
            b.append(w == 0 ? "" : "; ").append("wave ").append(w + 1).append(':');
            for (final Slot s : p.slots()) {
                if (s.wave() == w) {
                    b.append(' ').append(Mappings.label(s.mapping()))
                        .append(s.devices().isEmpty() ? " on CPU" : " on GPUs " + s.devices());
                }
            }
        }
        return b.toString();
    }
}
