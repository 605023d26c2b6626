#!/usr/bin/env python3
"""The tables of docs/CALIBRATION.md, from the JSON that `slaprof accuracy` and `slaprof calibrate --logo` write.

    python3 bench/calibration_tables.py tables FITTED.json LOGO.json [UNFITTED.json]
        FITTED.json: `slaprof accuracy --aic-table docs/accuracy-aic-0.12.0.json --json FITTED.json` (the bundled model)
        LOGO.json: `slaprof calibrate --logo ... --logo-json LOGO.json` (each group predicted by a fit that never saw it)
        UNFITTED.json: `slaprof accuracy --catalog-dir target/neutral --json UNFITTED.json` (the starting constants)
    python3 bench/calibration_tables.py residuals FITTED.json PERF_MODEL.yaml SILICON.csv
        per (backend, GPU generation): the measured TTFT at <= 8 clients and ISL 1024 minus the replay's engine-side
        TTFT (its estimate without request_overhead_ms), median per group: what a per-backend constant has to cover.

Errors are mean absolute percentage errors over rows below the KV queueing knee, as `slaprof accuracy` prints them.
"""
import collections
import csv
import json
import statistics
import sys


def ape(est, meas):
    return abs(est / meas - 1) * 100


def below(d):
    return [r for r in d["rows"] if not r.get("past_knee")]


def overall(d):
    rows = below(d)
    return (len(rows), statistics.fmean(ape(r["ttft_ms_est"], r["ttft_ms"]) for r in rows),
            statistics.fmean(ape(r["tpot_ms_est"], r["tpot_ms"]) for r in rows))


def mean_median(values):
    return statistics.fmean(values), statistics.median(values)


def tables(fitted_path, logo_path, unfitted_path=None):
    fitted, logo = json.load(open(fitted_path)), json.load(open(logo_path))
    print("| | rows | TTFT | TPOT |\n|---|---|---|---|")
    if unfitted_path:
        print("| unfitted constants | %d | %.1f %% | %.1f %% |" % overall(json.load(open(unfitted_path))))
    print("| fitted on all rows (the bundled model) | %d | %.1f %% | %.1f %% |" % overall(fitted))
    print("| leave-one-(model, system)-group-out | %d | %.1f %% | %.1f %% |" % overall(logo))
    print()
    # Beside AIC, on the rows it estimated (its answers ride in the LOGO rows, written with --aic-table).
    aic = {r["id"]: r for r in logo["rows"] if r.get("aic_ttft_ms") and not r.get("past_knee")}
    fit_by_id = {r["id"]: r for r in below(fitted)}
    print("AIC estimated %d of the %d replayed rows below the knee" % (len(aic), len(below(logo))))
    print("| | TTFT mean | TTFT median | TPOT mean | TPOT median |\n|---|---|---|---|---|")
    for name, source, prefix in (("slaprof, leave-one-group-out", aic, ""),
                                 ("slaprof, fitted on all rows", {i: fit_by_id[i] for i in aic if i in fit_by_id}, ""),
                                 ("AI Configurator 0.12.0", aic, "aic_")):
        t = mean_median([ape(r[prefix + "ttft_ms" if prefix else "ttft_ms_est"], r["ttft_ms"])
                         for r in source.values()])
        p = mean_median([ape(r[prefix + "tpot_ms" if prefix else "tpot_ms_est"], r["tpot_ms"])
                         for r in source.values()])
        print("| %s | %.1f %% | %.1f %% | %.1f %% | %.1f %% |" % (name, t[0], t[1], p[0], p[1]))
    print()
    fit_groups = {g["group"]: g for g in fitted["groups"]}
    at_or_below = [0, 0, 0, 0]
    both = 0
    print("| group (model, system, backend, precision, mode) | rows (+ past knee) | slaprof, fitted on all: TTFT / "
          "TPOT % | slaprof, leave-one-group-out: TTFT / TPOT % | rows AIC estimated | on those rows, slaprof LOGO: "
          "TTFT / TPOT % | AIC 0.12.0: TTFT / TPOT % |")
    print("|---|---|---|---|---|---|---|")

    def pair(a, b):
        return "- / -" if a is None or b is None else "%.1f / %.1f" % (a, b)

    for g in sorted(logo["groups"], key=lambda x: x["group"]):
        f = fit_groups.get(g["group"], {})
        name = ", ".join(g["group"].split(" | "))
        knee = " (+%d)" % g["past_knee_rows"] if g.get("past_knee_rows") else ""
        print("| %s | %d%s | %s | %s | %d | %s | %s |" % (
            name, g["rows"], knee, pair(f.get("ttft_mape"), f.get("tpot_mape")),
            pair(g.get("ttft_mape"), g.get("tpot_mape")), g.get("aic_rows", 0),
            pair(g.get("slaprof_ttft_mape_on_aic_rows"), g.get("slaprof_tpot_mape_on_aic_rows")),
            pair(g.get("aic_ttft_mape"), g.get("aic_tpot_mape"))))
        if g.get("aic_ttft_mape") is not None and g.get("slaprof_ttft_mape_on_aic_rows") is not None:
            both += 1
            at_or_below[0] += g["slaprof_ttft_mape_on_aic_rows"] <= g["aic_ttft_mape"]
            at_or_below[1] += g["slaprof_tpot_mape_on_aic_rows"] <= g["aic_tpot_mape"]
            if f.get("slaprof_ttft_mape_on_aic_rows") is not None:
                at_or_below[2] += f["slaprof_ttft_mape_on_aic_rows"] <= g["aic_ttft_mape"]
                at_or_below[3] += f["slaprof_tpot_mape_on_aic_rows"] <= g["aic_tpot_mape"]
    print()
    print("groups with rows both estimated: %d; slaprof at or below AIC, leave-one-group-out: TTFT %d, TPOT %d; "
          "fitted on all: TTFT %d, TPOT %d" % (both, *at_or_below))
    def picks(d):
        p = d.get("picks") or {}
        return "%s of %s groups" % (p.get("agree"), p.get("groups"))

    print("picks agreeing with the measurements: fitted on all %s, leave-one-group-out %s" % (picks(fitted), picks(logo)))


def residuals(fitted_path, perf_model_path, silicon_path):
    import yaml
    perf = yaml.safe_load(open(perf_model_path))
    rows = {r["id"]: r for r in csv.DictReader(open(silicon_path))}
    by_group = collections.defaultdict(list)
    for e in below(json.load(open(fitted_path))):
        r = rows[e["id"]]
        if r["mode"] != "agg" or r["isl"] != "1024" or not r["batch_size"] or float(r["batch_size"]) > 8:
            continue
        generation = "hopper" if r["system"].startswith("h") else "blackwell"
        overhead = perf["backends"][r["backend"]]["generations"][generation]["request_overhead_ms"]
        by_group[(r["backend"], generation, r["model_path"], r["system"], r["precision"] or "bf16")].append(
            e["ttft_ms"] - (e["ttft_ms_est"] - overhead))
    units = collections.defaultdict(list)
    for k, v in by_group.items():
        units[k[:2]].append((statistics.median(v), "%s %s %s" % k[2:], len(v)))
    print("| backend, generation | groups | fitted request_overhead_ms | residual, smallest group | largest group |")
    print("|---|---|---|---|---|")
    for (backend, generation), v in sorted(units.items()):
        v.sort()
        overhead = perf["backends"][backend]["generations"][generation]["request_overhead_ms"]
        print("| %s, %s | %d | %.0f | %.0f ms (%s) | %.0f ms (%s) |" % (backend, generation, len(v), overhead,
                                                                      v[0][0], v[0][1], v[-1][0], v[-1][1]))


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "tables":
        tables(*sys.argv[2:5])
    elif len(sys.argv) == 5 and sys.argv[1] == "residuals":
        residuals(*sys.argv[2:5])
    else:
        sys.exit(__doc__)
