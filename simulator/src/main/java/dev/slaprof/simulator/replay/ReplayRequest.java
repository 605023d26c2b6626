package dev.slaprof.simulator.replay;

/** One request of a closed-loop replay: its lengths, its progress and its times (model ms). */
final class ReplayRequest {
    final int client;
    final int isl;
    final int osl;
    final double arrivalMs;
    /** Prompt tokens not prefilled yet. */
    int promptLeft;
    /** When its first token was produced; NaN before. */
    double firstTokenMs = Double.NaN;
    /** The decode counter of its engine when it started decoding. */
    long decodeStart;

    ReplayRequest(final int client, final int isl, final int osl, final double arrivalMs) {
        this.client = client;
        this.isl = isl;
        this.osl = osl;
        this.arrivalMs = arrivalMs;
        this.promptLeft = isl;
    }

    /** Prompt tokens already prefilled (the context a next chunk attends to). */
    int prefilled() {
        return isl - promptLeft;
    }
}
