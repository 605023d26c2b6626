// Prefill tab: TTFT against thpt/GPU per mapping at the profile ISL, and its table.
import { state } from './state.js';
import { grouped, num } from './dom.js';
import { ci, fillTable, isPicked, targetLine, tooltip, withTarget } from './charts.js';
import { pin, pinnedDecode, pinnedInFlight, preview } from './actions.js';

export function renderPrefill() {
  var r = state.rec;
  var pts = r.prefill_points;
  var front = new Set(r.prefill_front);
  state.index.prefill = pts.map(function (p, i) { return [0, i]; });
  state.options.prefill = {
    animation: false,
    title: { text: 'Prefill: TTFT vs thpt/GPU at ISL ' + r.sla.isl, left: 'center', textStyle: { fontSize: 13 } },
    tooltip: { trigger: 'item', confine: true, formatter: function (q) {
      var p = pts[q.dataIndex];
      return p ? tooltip([p.label, 'TTFT ' + num(p.latency_ms, 2) + ' ms', grouped(p.thpt_per_gpu) + ' tokens/s/GPU']) : '';
    } },
    grid: { left: 70, right: 30, top: 40, bottom: 45 },
    xAxis: withTarget({ type: 'value', name: 'TTFT (ms)', nameLocation: 'middle', nameGap: 28 }, r.sla.ttft_ms),
    yAxis: { type: 'value', name: 'tokens/s/GPU', scale: true },
    series: [{
      name: 'prefill', type: 'scatter', symbolSize: 12,
      data: pts.map(function (p) { return [p.latency_ms, p.thpt_per_gpu]; }),
      label: { show: true, position: 'top', formatter: function (q) { return pts[q.dataIndex].label; } },
      emphasis: { scale: 1.8, itemStyle: { borderColor: '#000', borderWidth: 2 } },
      markLine: targetLine(r.sla.ttft_ms, 'TTFT target')
    }]
  };
  fillTable('table-prefill', pts, function (p) {
    return [p.label, p.mapping.gpus, num(p.latency_ms, 2), ci(p),
      grouped(p.thpt_per_gpu), p.samples, front.has(pts.indexOf(p)) ? 'yes' : ''];
  }, function (p) {
    pin({ prefill_label: p.label, decode_label: pinnedDecode(), decode_in_flight: pinnedInFlight() }, p.label, null, null);
  }, function (p) {
    preview(p.label, null, null, 'Preview: prefill ' + p.label);
  }, function (i) { return state.index.prefill[i]; }, 'prefill', function (p) { return isPicked(r.prefill, p); });
}
