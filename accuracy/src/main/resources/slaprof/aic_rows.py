"""AI Configurator's own estimate of measured rows in its silicon format, for `slaprof accuracy --aic`.

Reads JSON lines from stdin, one row each: the CSV's columns by name (strings, as in the file). Writes one JSON line
per row to stdout, flushed as it goes: {"id", "aic_version", "ttft_ms", "tpot_ms", "seconds"} or {"id",
"aic_version", "error", "seconds"}. The estimate is AIC's `cli_estimate` for the row's deployment (agg or disagg)
with the row's backend, system, lengths, batch sizes, parallel sizes and quantization modes. AIC's own log goes to
stderr.
"""
import contextlib
import json
import logging
import sys
import time
import warnings


# Model ids of the silicon sample that AIC ships under another name (its model_configs folder), or whose architecture
# it ships as another checkpoint: AIC is asked with its own name, so that it answers from its bundled config instead
# of trying to download one (this machine has no model hub). The row's quantization modes are passed as they are.
ALIASES = {
    "meta-llama/Llama-3.1-70B": "meta-llama/Meta-Llama-3.1-70B",
    "meta-llama/Llama-3.1-8B-Instruct": "meta-llama/Meta-Llama-3.1-8B",
    "nvidia/Llama-3.1-8B-Instruct-FP8": "meta-llama/Meta-Llama-3.1-8B",
    "zhipuai/GLM-5": "zai-org/GLM-5",
    "nvidia/Qwen3-32B-NVFP4": "Qwen/Qwen3-32B",
    "nvidia/DeepSeek-R1-NVFP4": "deepseek-ai/DeepSeek-R1",
}


def num(row, key):
    v = row.get(key, "")
    return int(float(v)) if v not in ("", None) else None


def main():
    warnings.simplefilter("ignore")
    logging.disable(logging.WARNING)
    with contextlib.redirect_stdout(sys.stderr):
        import aiconfigurator
        from aiconfigurator.cli.api import cli_estimate
    version = getattr(aiconfigurator, "__version__", "unknown")
    for line in sys.stdin:
        if not line.strip():
            continue
        row = json.loads(line)
        t0 = time.perf_counter()
        out = {"id": row["id"], "aic_version": version}
        try:
            kw = dict(mode=row["mode"], backend_name=row["backend"], isl=num(row, "isl"), osl=num(row, "osl"))
            for key in ("gemm_quant_mode", "moe_quant_mode"):
                if row.get(key):
                    kw[key] = row[key]
            if row["mode"] == "agg":
                kw.update(batch_size=num(row, "batch_size"), tp_size=num(row, "tp_size"),
                          pp_size=num(row, "pp_size") or 1, attention_dp_size=num(row, "attention_dp_size") or 1)
                for key in ("moe_tp_size", "moe_ep_size"):
                    if num(row, key):
                        kw[key] = num(row, key)
            else:
                for role in ("prefill", "decode"):
                    for key in ("tp_size", "pp_size", "attention_dp_size", "moe_tp_size", "moe_ep_size",
                                "batch_size", "num_workers"):
                        v = num(row, f"{role}_{key}")
                        if v:
                            kw[f"{role}_{key}"] = v
            with contextlib.redirect_stdout(sys.stderr):
                r = cli_estimate(ALIASES.get(row["model_path"], row["model_path"]), row["system"], **kw)
            out["ttft_ms"] = float(r.ttft)
            out["tpot_ms"] = float(r.tpot)
        except BaseException as e:  # AIC refuses some rows (unsupported model, memory, database gaps): say why
            if isinstance(e, KeyboardInterrupt):
                raise
            out["error"] = f"{type(e).__name__}: {e}"[:300]
        out["seconds"] = time.perf_counter() - t0
        print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
