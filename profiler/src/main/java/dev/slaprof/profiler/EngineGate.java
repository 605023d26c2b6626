package dev.slaprof.profiler;

import dev.slaprof.producer.Endpoint;
import java.util.List;

/**
 * Which engines a sweep may measure now. Engines that always run (the simulated fleets, the user's own endpoints)
 * pass {@link #OPEN}; slaprof's local engines run in waves when the candidates need more GPUs than {@code --gpus}
 * gives ({@link LocalEngines}), and a candidate whose engine failed to start is skipped.
 */
public interface EngineGate {
    /** Every engine runs: one group, nothing to start. */
    EngineGate OPEN = new EngineGate() {
        @Override
        public List<List<Endpoint>> groups(final List<Endpoint> endpoints) {
            return List.of(endpoints);
        }

        @Override
        public boolean acquire(final Endpoint e) {
            return true;
        }
    };

    /** The endpoints in groups whose engines run together, in the order to sweep them; each keeps their order. */
    List<List<Endpoint>> groups(List<Endpoint> endpoints);

    /**
     * Makes sure the endpoint's engine runs, stopping another wave's and starting its own when it must.
     *
     * @return false when it cannot run (it failed to start, or the wait was interrupted): skip its points
     */
    boolean acquire(Endpoint e);
}
