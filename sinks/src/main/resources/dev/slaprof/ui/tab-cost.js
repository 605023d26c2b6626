// Cost tab: GPU hours (or dollars) per 1000 requests against tokens/s/user, per prefill choice, and its table.
import { state } from './state.js';
import { $, num } from './dom.js';
import { fillTable, isPicked, tooltip } from './charts.js';
import { pin, preview } from './actions.js';

function costValue(row) {
  return state.showDollars ? row.gpu_hours * state.price : row.gpu_hours;
}

export function renderCost() {
  var r = state.rec;
  var rows = r.cost_table;
  var groups = [];
  var at = {};
  rows.forEach(function (c, i) {
    if (!(c.prefill_index in at)) { at[c.prefill_index] = groups.length; groups.push({ p: c.prefill_index, items: [] }); }
    groups[at[c.prefill_index]].items.push(i);
  });
  var index = [];
  var unit = state.showDollars ? '$ per 1000 requests' : 'GPU hours per 1000 requests';
  var series = groups.map(function (g, s) {
    g.items.sort(function (a, b) { return rows[a].tokens_per_user - rows[b].tokens_per_user; });
    g.items.forEach(function (i, d) { index[i] = [s, d]; });
    var p = r.prefill_points[g.p];
    return {
      name: 'prefill ' + p.label + ' (TTFT ' + num(p.latency_ms, 0) + ' ms)', type: 'line', symbolSize: 8,
      data: g.items.map(function (i) { return [rows[i].tokens_per_user, costValue(rows[i]), i]; }),
      emphasis: { focus: 'none', scale: 1.8, itemStyle: { borderColor: '#000', borderWidth: 2 } }
    };
  });
  state.index.cost = index;
  state.options.cost = {
    animation: false,
    title: { text: 'Cost: ' + unit + ' vs tokens/s/user', left: 'center', textStyle: { fontSize: 13 } },
    legend: { bottom: 0 },
    tooltip: { trigger: 'item', confine: true, formatter: function (q) {
      var c = rows[q.data[2]];
      if (!c) { return ''; }
      return tooltip(['prefill ' + r.prefill_points[c.prefill_index].label + ', decode '
        + r.decode_points[c.decode_index].label + ' at ' + r.decode_points[c.decode_index].in_flight,
        num(c.tokens_per_user, 1) + ' tokens/s/user', num(costValue(c), 3) + ' ' + unit]);
    } },
    grid: { left: 80, right: 30, top: 40, bottom: 70 },
    xAxis: { type: 'value', name: 'tokens/s/user', nameLocation: 'middle', nameGap: 28, scale: true },
    yAxis: { type: 'value', name: unit, nameLocation: 'middle', nameRotate: 90, nameGap: 58, scale: true },
    series: series
  };
  $('cost-head').textContent = state.showDollars ? '$ / 1000 req' : 'GPU h / 1000 req';
  fillTable('table-cost', rows, function (c) {
    var p = r.prefill_points[c.prefill_index];
    var d = r.decode_points[c.decode_index];
    return [p.label, num(c.prefill_ttft_ms, 1), d.label + ' at ' + d.in_flight, num(c.decode_itl_ms, 2),
      num(c.tokens_per_user, 1), num(costValue(c), 4)];
  }, function (c) {
    var p = r.prefill_points[c.prefill_index];
    var d = r.decode_points[c.decode_index];
    pin({ prefill_label: p.label, decode_label: d.label, decode_in_flight: d.in_flight }, p.label, d.label, d.in_flight);
  }, function (c) {
    var p = r.prefill_points[c.prefill_index];
    var d = r.decode_points[c.decode_index];
    preview(p.label, d.label, d.in_flight, 'Preview: prefill ' + p.label + ', decode ' + d.label + ' at ' + d.in_flight);
  }, function (i) { return state.index.cost[i]; }, 'cost', function (c) {
    return isPicked(r.prefill, r.prefill_points[c.prefill_index]) && isPicked(r.decode, r.decode_points[c.decode_index]);
  });
}
