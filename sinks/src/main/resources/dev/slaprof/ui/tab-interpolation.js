// Interpolation tab: the prefill spline over ISL and the decode ITL and thpt/GPU grids over KV usage and context.
import { state } from './state.js';
import { $, grouped, num } from './dom.js';
import { EXTRAPOLATED, heat, tooltip } from './charts.js';

export function renderInterpolation() {
  var r = state.rec;
  var g = state.grids;
  var notes = [];
  var series = [];
  if (r.prefill_table && g.prefill && g.prefill.isl) {
    var t = r.prefill_table;
    series.push({ name: 'measured', type: 'scatter', symbolSize: 9,
      data: t.prefill_isl.map(function (x, i) { return [x, t.prefill_ttft[i]]; }) });
    series.push({ name: 'spline', type: 'line', showSymbol: false, smooth: false,
      data: g.prefill.isl.map(function (x, i) { return [x, g.prefill.ttft_ms[i]]; }) });
  } else {
    notes.push('Prefill interpolation: ' + (g.prefill && g.prefill.error ? g.prefill.error : 'no table yet'));
  }
  state.options['ttft-isl'] = {
    animation: false,
    title: { text: 'Prefill TTFT vs ISL (' + (r.prefill ? r.prefill.point.label : 'no pick') + ', not-a-knot spline)',
      left: 'center', textStyle: { fontSize: 13 } },
    legend: { top: 20 },
    tooltip: { trigger: 'item', confine: true, formatter: function (q) {
      return tooltip(['ISL ' + grouped(q.data[0]), 'TTFT ' + num(q.data[1], 2) + ' ms']);
    } },
    grid: { left: 70, right: 30, top: 50, bottom: 45 },
    xAxis: { type: 'value', name: 'ISL (tokens)', nameLocation: 'middle', nameGap: 28 },
    yAxis: { type: 'value', name: 'TTFT (ms)', scale: true },
    series: series
  };
  if (g.decode && g.decode.itl_ms) {
    var outside = heat('itl-heat', 'Decode ITL (ms) over KV usage and context', g.decode.xi_kv_usage,
      g.decode.yi_context_length, g.decode.itl_ms, 'ms', g.decode.extrapolated);
    heat('thpt-heat', 'Decode tokens/s/GPU over KV usage and context', g.decode.xi_kv_usage,
      g.decode.yi_context_length, g.decode.thpt_per_gpu, 'tokens/s/GPU', g.decode.extrapolated);
    var total = g.decode.xi_kv_usage.length * g.decode.yi_context_length.length;
    $('interp-extrapolated').textContent = outside
      ? 'Pale cells (legend: "' + EXTRAPOLATED + '") are ' + outside + ' of ' + total + ' grid cells outside the '
        + 'measured points: filled from the nearest measured value, not measured.'
      : 'Every grid cell lies inside the measured points.';
  } else {
    notes.push('Decode interpolation: ' + (g.decode && g.decode.error ? g.decode.error : 'no table yet'));
    $('interp-extrapolated').textContent = '';
    delete state.options['itl-heat'];
    delete state.options['thpt-heat'];
  }
  $('interp-note').textContent = notes.join(' ');
}
