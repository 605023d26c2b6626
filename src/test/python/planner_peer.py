"""Dynamo 1.x's own planner code reads a slaprof profile folder (issue 20, part 3).

Usage: planner_peer.py FOLDER ISL OSL TTFT_MS ITL_MS

Loads the folder in both layouts the planner accepts: the profiler's folder (selected_*_interpolation/raw_data.npz)
and the ConfigMap mount (prefill_raw_data.json, decode_raw_data.json), the latter taken from final_config.yaml's
planner-profile-data ConfigMap when present. Each goes through the planner's loader
(dynamo.planner.monitoring.perf_metrics) into its regression models (dynamo.planner.core.perf_model), and the
planner's answers are printed as JSON: a prefill replica's requests/s and TTFT at ISL, the decode replica's
requests/s and ITL of the best batch under the ITL target, and every warning the planner logged.
"""
import json
import logging
import os
import sys
import tempfile
import types


def stub_aisimulate():
    # ai-dynamo 1.6.1 depends on aisimulate, a placeholder that downloads its wheel from pypi.nvidia.com, which these
    # machines cannot reach. Only the import of its SDK module is stubbed: the profile-file path never calls it.
    try:
        import aisimulate_core.sdk  # noqa: F401
        return False
    except ImportError:
        def placeholder(module_name):
            module = types.ModuleType(module_name)

            def missing(attr):  # any name imported from it: a class that fails if ever used
                def unavailable(*args, **kwargs):
                    raise RuntimeError(module_name + "." + attr + " is not installed (pypi.nvidia.com unreachable)")
                return type(attr, (), {"__init__": unavailable})

            module.__getattr__ = missing
            module.__path__ = []
            return module

        for name in ("aisimulate_core", "aisimulate_core.sdk", "aisimulate_core._native"):
            sys.modules[name] = placeholder(name)
        return True


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.WARNING)
        self.records = []

    def emit(self, record):
        self.records.append("%s: %s" % (record.levelname, record.getMessage()))


def main():
    folder, isl, osl, ttft, itl = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), \
        float(sys.argv[5])
    stubbed = stub_aisimulate()
    collect = Collect()
    logging.getLogger().addHandler(collect)
    from dynamo.planner.core.perf_model import DecodeRegressionModel, PrefillRegressionModel
    from dynamo.planner.monitoring import perf_metrics as pm

    layouts = {"profiler_folder": folder}
    final = os.path.join(folder, "final_config.yaml")
    if os.path.exists(final):
        import yaml
        docs = list(yaml.safe_load_all(open(final)))
        data = [d for d in docs if d.get("kind") == "ConfigMap"
                and d["metadata"]["name"].startswith("planner-profile-data")][0]["data"]
        mount = tempfile.mkdtemp(prefix="planner-mount-")
        for key, text in data.items():
            with open(os.path.join(mount, key), "w") as f:
                f.write(text)
        layouts["configmap_mount"] = mount
    out = {"aisimulate_stubbed": stubbed, "layouts": {}}
    if os.path.exists(final):
        # The planner's own PlannerConfig validation of the planner-config ConfigMap's JSON, as `--config` reads it,
        # and once more in advisory mode (decisions logged, nothing scaled): the installed planner has no dry-run
        # entry point that runs without Dynamo's runtime and a metrics source.
        from dynamo.planner.config.planner_config import PlannerConfig
        cm = [d for d in docs if d.get("kind") == "ConfigMap" and d["metadata"]["name"].startswith("planner-config")]
        text = cm[0]["data"]["planner_config.json"]
        cfg = PlannerConfig.from_config_arg(text)
        advisory = PlannerConfig.model_validate({**json.loads(text), "advisory": True})
        out["planner_config"] = {"profile_results_dir": cfg.profile_results_dir,
                                 "sweep_mode": str(getattr(cfg.pre_deployment_sweeping_mode, "value",
                                                           cfg.pre_deployment_sweeping_mode)),
                                 "advisory": advisory.advisory, "ttft_ms": cfg.ttft_ms, "itl_ms": cfg.itl_ms}
    for name, d in layouts.items():
        prefill = PrefillRegressionModel(max_num_fpm_samples=64)
        prefill.load_benchmark_fpms(pm._convert_prefill_profiling(d))
        decode = DecodeRegressionModel(max_num_fpm_samples=64)
        decode.load_benchmark_fpms(pm._convert_decode_profiling(d))
        max_kv = None
        npz = os.path.join(d, "selected_decode_interpolation", "raw_data.npz")
        if os.path.exists(npz):
            import numpy as np
            with np.load(npz) as z:
                max_kv = int(z["max_kv_tokens"][0])
        else:
            max_kv = int(json.load(open(os.path.join(d, "decode_raw_data.json")))["max_kv_tokens"])
        p_rps, p_ttft = prefill.find_best_engine_prefill_rps(ttft, isl)
        d_rps, d_itl = decode.find_best_engine_decode_rps(itl, isl + osl / 2, osl, max_kv_tokens=max_kv)
        out["layouts"][name] = {"prefill_rps": p_rps, "prefill_ttft_ms": p_ttft, "decode_rps": d_rps,
                                "decode_itl_ms": d_itl, "max_kv_tokens": max_kv}
    out["warnings"] = collect.records
    print(json.dumps(out, sort_keys=True))


if __name__ == "__main__":
    main()
