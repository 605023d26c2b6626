// slaprof live UI: tabs, controls and start-up. The modules: state, dom, api (credentials), live (event stream),
// data (list and refresh), card, charts, actions (preview, pin) and one module per tab.
import { state } from './state.js';
import { $ } from './dom.js';
import { onTokenEntered, report, tokenEntered } from './api.js';
import { connect } from './live.js';
import { choose, loadList } from './data.js';
import { applyCharts } from './charts.js';
import { unpin } from './actions.js';
import { updateMeta } from './card.js';
import { renderCost } from './tab-cost.js';

// A tab is addressable by the URL's hash: #prefill, #decode, #cost, #interpolation (or #interp), #statistics (or
// #stats). An unknown hash opens the first tab.
var HASH_ALIASES = { interpolation: 'interp', statistics: 'stats' };
var HASH_NAMES = { interp: 'interpolation', stats: 'statistics' };

function tabFromHash() {
  var h = (window.location.hash || '').replace(/^#/, '').toLowerCase();
  var name = HASH_ALIASES[h] || h;
  return document.querySelector('[role=tab][data-tab="' + name.replace(/[^a-z]/g, '') + '"]') ? name : 'prefill';
}

function selectTab(name, focus) {
  state.tab = name;
  var hash = '#' + (HASH_NAMES[name] || name);
  if (window.location.hash !== hash && window.history && window.history.replaceState) {
    window.history.replaceState(null, '', hash);
  }
  document.querySelectorAll('[role=tab]').forEach(function (t) {
    var on = t.dataset.tab === name;
    t.setAttribute('aria-selected', on ? 'true' : 'false');
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute('aria-controls')).hidden = !on;
    if (on && focus) { t.focus(); }
  });
  applyCharts();
}

function wire() {
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role=tab]'));
  tabs.forEach(function (t, i) {
    t.addEventListener('click', function () { selectTab(t.dataset.tab, false); });
    t.addEventListener('keydown', function (e) {
      var j = e.key === 'ArrowRight' ? (i + 1) % tabs.length : e.key === 'ArrowLeft' ? (i + tabs.length - 1) % tabs.length
        : e.key === 'Home' ? 0 : e.key === 'End' ? tabs.length - 1 : -1;
      if (j >= 0) { e.preventDefault(); selectTab(tabs[j].dataset.tab, true); }
    });
  });
  $('target').addEventListener('change', function (e) { choose(e.target.value); });
  $('unpin').addEventListener('click', unpin);
  $('auth').addEventListener('submit', tokenEntered);
  onTokenEntered(function () { if (!state.connected) { connect(); } });
  $('show-dollars').addEventListener('change', function (e) {
    state.showDollars = e.target.checked;
    if (state.rec) { renderCost(); applyCharts(); }
  });
  $('gpu-price').addEventListener('input', function (e) {
    var v = parseFloat(e.target.value);
    if (isFinite(v) && v >= 0) {
      state.price = v;
      if (state.rec && state.showDollars) { renderCost(); applyCharts(); }
    }
  });
  window.addEventListener('resize', function () {
    Object.keys(state.charts).forEach(function (k) { state.charts[k].resize(); });
  });
  setInterval(updateMeta, 1000);
  window.addEventListener('hashchange', function () { selectTab(tabFromHash(), false); });
  selectTab(tabFromHash(), false);
  // The first data does not wait for the live stream: a proxy that buffers it (or a slow TLS start) must not leave
  // the page empty. The stream's hello loads the list again.
  loadList().catch(report);
  connect();
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', wire);
} else {
  wire();
}
