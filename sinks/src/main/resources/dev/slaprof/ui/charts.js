// ECharts options shared by the tabs, the charts of the visible tab, and the link between a table row and its point.
import { state } from './state.js';
import { $, el, esc, grouped, num } from './dom.js';

export function isPicked(pick, p) {
  return pick && pick.point.label === p.label && pick.point.in_flight === p.in_flight && pick.point.role === p.role;
}

export function fillTable(id, rows, cells, onPick, onShow, indexOf, chartName, picked) {
  var body = $(id).tBodies[0];
  body.replaceChildren();
  rows.forEach(function (row, i) {
    var tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.index = String(i);
    if (picked && picked(row)) {
      tr.classList.add('picked');
      tr.setAttribute('aria-selected', 'true');
    }
    cells(row).forEach(function (c) { tr.appendChild(el('td', c)); });
    var td = el('td');
    var b = el('button', 'Show config', 'small');
    b.type = 'button';
    b.addEventListener('click', function (e) { e.stopPropagation(); onShow(row); });
    td.appendChild(b);
    tr.appendChild(td);
    tr.addEventListener('click', function () { onPick(row); });
    tr.addEventListener('keydown', function (e) {
      if (e.target === tr && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); onPick(row); }
      if (e.key === 'ArrowDown' && tr.nextElementSibling) { e.preventDefault(); tr.nextElementSibling.focus(); }
      if (e.key === 'ArrowUp' && tr.previousElementSibling) { e.preventDefault(); tr.previousElementSibling.focus(); }
    });
    var on = function () { highlight(chartName, indexOf(i), true); tr.classList.add('hl'); };
    var off = function () { highlight(chartName, indexOf(i), false); tr.classList.remove('hl'); };
    tr.addEventListener('mouseenter', on);
    tr.addEventListener('mouseleave', off);
    tr.addEventListener('focus', on);
    tr.addEventListener('blur', off);
    body.appendChild(tr);
  });
}

export function targetLine(value, name) {
  return {
    silent: true, symbol: 'none',
    lineStyle: { color: '#d62728', type: 'dashed', width: 2 },
    label: { formatter: name + ' ' + value + ' ms' },
    data: [{ xAxis: value }]
  };
}

// The axis always spans the SLA target, so its line is visible even when every point is far from it.
export function withTarget(axis, target) {
  axis.min = function (v) { return Math.max(0, Math.floor(Math.min(v.min, target) * 0.9)); };
  axis.max = function (v) { return Math.ceil(Math.max(v.max, target) * 1.05); };
  return axis;
}

export function ci(p) {
  return p.samples < 2 || p.ci_low_ms === null ? 'n/a (' + p.samples + ' sample' + (p.samples === 1 ? ')' : 's)')
    : num(p.ci_low_ms, 1) + ' to ' + num(p.ci_high_ms, 1);
}

export function tooltip(lines) {
  return lines.map(esc).join('<br>');
}

// A decode heat map. Cells outside the measured points' convex hull (ext[iy][ix], filled from the nearest measured
// value) are a second series drawn pale, named in the legend, so extrapolation never passes for measurement.
export var EXTRAPOLATED = 'outside the measured points (extrapolated)';

export function heat(name, title, xi, yi, z, unit, ext) {
  var inside = [];
  var outside = [];
  var lo = Infinity;
  var hi = -Infinity;
  for (var iy = 0; iy < yi.length; iy++) {
    for (var ix = 0; ix < xi.length; ix++) {
      var v = z[iy][ix];
      if (typeof v === 'number' && isFinite(v)) {
        (ext && ext[iy] && ext[iy][ix] ? outside : inside).push([ix, iy, v]);
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
  }
  var every = function (n) { return Math.max(0, Math.ceil(n / 8) - 1); };
  state.options[name] = {
    animation: false,
    title: { text: title, left: 'center', textStyle: { fontSize: 12 } },
    legend: { top: 18, data: ['interpolated', EXTRAPOLATED], textStyle: { fontSize: 11 } },
    tooltip: { confine: true, formatter: function (q) {
      return tooltip(['KV usage ' + num(xi[q.data[0]], 3), 'context ' + grouped(yi[q.data[1]]), num(q.data[2], 2) + ' ' + unit,
        q.seriesName === EXTRAPOLATED ? 'extrapolated: outside the measured points' : 'interpolated from measured points']);
    } },
    grid: { left: 70, right: 20, top: 48, bottom: 80 },
    xAxis: { type: 'category', name: 'KV usage', nameLocation: 'middle', nameGap: 22,
      data: xi.map(function (x) { return num(x, 2); }), axisLabel: { interval: every(xi.length) } },
    yAxis: { type: 'category', name: 'context', nameLocation: 'middle', nameGap: 52,
      data: yi.map(function (y) { return grouped(y); }), axisLabel: { interval: every(yi.length) } },
    visualMap: { min: isFinite(lo) ? lo : 0, max: isFinite(hi) ? hi : 1, calculable: false, orient: 'horizontal',
      left: 'center', bottom: 0, itemHeight: 120, text: [num(hi, 1), num(lo, 1)],
      inRange: { color: ['#313695', '#4575b4', '#abd9e9', '#fee090', '#f46d43', '#a50026'] } },
    series: [{ name: 'interpolated', type: 'heatmap', data: inside, progressive: 0 },
      { name: EXTRAPOLATED, type: 'heatmap', data: outside, progressive: 0, itemStyle: { opacity: 0.3 } }]
  };
  return outside.length;
}

var CHARTS = { prefill: 'prefill', decode: 'decode', cost: 'cost', 'ttft-isl': 'interp', 'itl-heat': 'interp',
  'thpt-heat': 'interp' };

export function applyCharts() {
  if (typeof echarts === 'undefined') { return; }
  Object.keys(CHARTS).forEach(function (name) {
    if (CHARTS[name] !== state.tab || !state.options[name]) { return; }
    var dom = $('chart-' + name);
    var c = state.charts[name];
    if (!c) {
      c = echarts.init(dom, null, { renderer: 'canvas' });
      state.charts[name] = c;
      c.on('mouseover', function (q) { rowHighlight(name, q, true); });
      c.on('mouseout', function (q) { rowHighlight(name, q, false); });
    }
    c.setOption(state.options[name], true);
    c.resize();
  });
}

function highlight(name, at, on) {
  var c = state.charts[name];
  if (!c || !at) { return; }
  c.dispatchAction({ type: on ? 'highlight' : 'downplay', seriesIndex: at[0], dataIndex: at[1] });
  if (on) { c.dispatchAction({ type: 'showTip', seriesIndex: at[0], dataIndex: at[1] }); }
  else { c.dispatchAction({ type: 'hideTip' }); }
}

function rowHighlight(name, q, on) {
  var table = { prefill: 'table-prefill', decode: 'table-decode', cost: 'table-cost' }[name];
  var idx = state.index[name];
  if (!table || !idx) { return; }
  for (var i = 0; i < idx.length; i++) {
    if (idx[i] && idx[i][0] === q.seriesIndex && idx[i][1] === q.dataIndex) {
      var tr = $(table).tBodies[0].rows[i];
      if (tr) { tr.classList.toggle('hl', on); }
    }
  }
}
