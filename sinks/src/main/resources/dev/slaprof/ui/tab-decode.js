// Decode tab: ITL against thpt/GPU, one line per mapping over its in-flight loads, and its table.
import { state } from './state.js';
import { grouped, num } from './dom.js';
import { ci, fillTable, isPicked, targetLine, tooltip, withTarget } from './charts.js';
import { pin, pinnedPrefill, preview } from './actions.js';

function byMapping(points) {
  var groups = [];
  var at = {};
  points.forEach(function (p, i) {
    if (!(p.label in at)) { at[p.label] = groups.length; groups.push({ label: p.label, items: [] }); }
    groups[at[p.label]].items.push(i);
  });
  return groups;
}

export function renderDecode() {
  var r = state.rec;
  var pts = r.decode_points;
  var front = new Set(r.decode_front);
  var groups = byMapping(pts);
  var index = [];
  var series = groups.map(function (g, s) {
    g.items.sort(function (a, b) { return pts[a].in_flight - pts[b].in_flight; });
    g.items.forEach(function (i, d) { index[i] = [s, d]; });
    return {
      name: g.label, type: 'line', symbolSize: 8,
      data: g.items.map(function (i) { return [pts[i].latency_ms, pts[i].thpt_per_gpu, i]; }),
      emphasis: { focus: 'none', scale: 1.8, itemStyle: { borderColor: '#000', borderWidth: 2 } },
      markLine: s === 0 ? targetLine(r.sla.itl_ms, 'ITL target') : undefined
    };
  });
  state.index.decode = index;
  state.options.decode = {
    animation: false,
    title: { text: 'Decode: ITL vs thpt/GPU, one line per mapping (points = in-flight loads)', left: 'center', textStyle: { fontSize: 13 } },
    legend: { top: 20 },
    tooltip: { trigger: 'item', confine: true, formatter: function (q) {
      var p = pts[q.data[2]];
      return p ? tooltip([p.label + ' at ' + p.in_flight + ' in flight', 'ITL ' + num(p.latency_ms, 2) + ' ms',
        grouped(p.thpt_per_gpu) + ' tokens/s/GPU']) : '';
    } },
    grid: { left: 70, right: 30, top: 50, bottom: 45 },
    xAxis: withTarget({ type: 'value', name: 'ITL (ms)', nameLocation: 'middle', nameGap: 28 }, r.sla.itl_ms),
    yAxis: { type: 'value', name: 'tokens/s/GPU', scale: true },
    series: series
  };
  fillTable('table-decode', pts, function (p) {
    return [p.label, p.mapping.gpus, p.in_flight, num(p.latency_ms, 2), ci(p),
      grouped(p.thpt_per_gpu), p.samples, front.has(pts.indexOf(p)) ? 'yes' : ''];
  }, function (p) {
    pin({ prefill_label: pinnedPrefill(), decode_label: p.label, decode_in_flight: p.in_flight }, null, p.label, p.in_flight);
  }, function (p) {
    preview(null, p.label, p.in_flight, 'Preview: decode ' + p.label + ' at ' + p.in_flight + ' in flight');
  }, function (i) { return state.index.decode[i]; }, 'decode', function (p) { return isPicked(r.decode, p); });
}
