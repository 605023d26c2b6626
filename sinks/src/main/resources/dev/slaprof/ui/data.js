// What is shown: the list of deployments and profiles, the chosen one, and its refresh (one at a time; events that
// arrive meanwhile fold into one more refresh when it completes).
import { state } from './state.js';
import { $, el } from './dom.js';
import { base, getJson, report } from './api.js';
import { applyCharts } from './charts.js';
import { renderCard } from './card.js';
import { renderPrefill } from './tab-prefill.js';
import { renderDecode } from './tab-decode.js';
import { renderCost } from './tab-cost.js';
import { renderInterpolation } from './tab-interpolation.js';
import { renderStats } from './tab-stats.js';

export function loadList() {
  return getJson('/api/recommendations').then(function (list) {
    state.list = list;
    var select = $('target');
    var current = state.key ? state.key.deployment + '\u0000' + state.key.profile : null;
    select.replaceChildren();
    list.forEach(function (x) {
      var o = el('option', x.model + '  |  ' + x.deployment + '  |  profile ' + x.profile);
      o.value = x.deployment + '\u0000' + x.profile;
      select.appendChild(o);
    });
    if (list.length === 0) { return; }
    var keep = list.some(function (x) { return x.deployment + '\u0000' + x.profile === current; });
    select.value = keep ? current : list[0].deployment + '\u0000' + list[0].profile;
    choose(select.value);
  }).catch(report);
}

export function choose(value) {
  var parts = value.split('\u0000');
  if (state.key && state.key.deployment === parts[0] && state.key.profile === parts[1]) { return; }
  state.key = { deployment: parts[0], profile: parts[1] };
  scheduleRefresh();
}

var inFlight = false;
var again = false;
export function scheduleRefresh() {
  if (inFlight) {
    again = true;
    return;
  }
  refresh();
}

function refresh() {
  if (!state.key) { return Promise.resolve(); }
  inFlight = true;
  again = false;
  var key = state.key;
  return Promise.all([getJson(base() + '?omit=decode_grid,prefill_ttft_spline,prefill_thpt_spline'),
    getJson(base() + '/grids'), getJson(base() + '/stats')])
    .then(function (r) {
      if (key !== state.key) { return; }
      state.rec = r[0];
      state.grids = r[1];
      state.stats = r[2];
      render();
      state.renders++;
    }).catch(report).then(function () {
      inFlight = false;
      if (again || key !== state.key) { scheduleRefresh(); }
    });
}

function render() {
  renderCard();
  renderPrefill();
  renderDecode();
  renderCost();
  renderInterpolation();
  renderStats();
  applyCharts();
}
