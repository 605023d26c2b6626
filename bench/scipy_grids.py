# Times scipy building the two planner grids Dynamo's planner builds: the prefill interp1d cubic splines (TTFT and
# thpt) and the decode griddata cubic + nearest fill (ITL and thpt) on a 100 x 100 grid, on the aic_all table.
import json, time, yaml, numpy as np
from scipy.interpolate import interp1d, griddata
d = json.load(open(__import__('os').path.join(__import__('os').path.dirname(__import__('os').path.abspath(__file__)), '../testdata/dynamo/aic_all/configmap_data.json')))
cm = list(yaml.safe_load_all(d['config_with_planner.yaml']))[0]['data']
p = json.loads(cm['prefill_raw_data.json']); q = json.loads(cm['decode_raw_data.json'])
def build():
    f1 = interp1d(p['prefill_isl'], p['prefill_ttft'], kind='cubic')
    f2 = interp1d(p['prefill_isl'], p['prefill_thpt_per_gpu'], kind='cubic')
    x = np.array(q['x_kv_usage']); y = np.array(q['y_context_length'])
    xi = np.linspace(0, 1, 100); yi = np.linspace(0, y.max(), 100)
    X, Y = np.meshgrid(xi, yi)
    out = []
    for z in (q['z_itl'], q['z_thpt_per_gpu']):
        g = griddata((x, y), z, (X, Y), method='cubic')
        n = griddata((x, y), z, (X, Y), method='nearest')
        g[np.isnan(g)] = n[np.isnan(g)]
        out.append(g)
    return f1, f2, out
for _ in range(3): build()
N = 20
t = time.perf_counter()
for _ in range(N): build()
print("scipy both planner grids: %.3f ms per build (mean of %d)" % ((time.perf_counter() - t) / N * 1000, N))
