"""AI Configurator's estimates for the points slaprof measured, for `slaprof bench-estimate`.

Reads one JSON object from stdin: {"model", "system", "backend", "isl", "osl", "points": [{"role", "tp", "batch", "isl"}]} (a point's isl
overrides the request's).
Writes one JSON object to stdout: {"aic_version", "backend_version", "seconds", "points": [...]} where each point
carries AIC's TTFT (prefill, static_ctx at batch 1) or TPOT (decode, static_gen at the batch), or the error AIC gave
for it. Nothing else goes to stdout; AIC's own log goes to stderr.
"""
import contextlib
import json
import logging
import sys
import time
import warnings


def main():
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    request = json.load(sys.stdin)
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):
        import aiconfigurator
        from aiconfigurator.cli.api import cli_estimate
    out = []
    backend_version = None
    for p in request["points"]:
        mode = "static_ctx" if p["role"] == "PREFILL" else "static_gen"
        row = dict(p)
        try:
            with contextlib.redirect_stdout(sys.stderr):
                r = cli_estimate(request["model"], request["system"], mode=mode, backend_name=request["backend"],
                                 isl=p.get("isl", request["isl"]), osl=request["osl"], batch_size=p["batch"], tp_size=p["tp"])
            backend_version = r.backend_version
            row["latency_ms"] = float(r.ttft if mode == "static_ctx" else r.tpot)
        except Exception as e:  # AIC refuses some shapes (memory, unsupported); say which and why
            row["error"] = f"{type(e).__name__}: {e}"[:300]
        out.append(row)
    json.dump({"aic_version": getattr(aiconfigurator, "__version__", "unknown"), "backend_version": backend_version,
               "seconds": time.perf_counter() - t0, "points": out}, sys.stdout)


if __name__ == "__main__":
    main()
