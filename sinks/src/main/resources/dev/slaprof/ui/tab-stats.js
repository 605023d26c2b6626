// Statistics tab: every bucket of the deployment as the topology publishes it.
import { state } from './state.js';
import { $, el, num } from './dom.js';

export function renderStats() {
  var body = $('table-stats').tBodies[0];
  body.replaceChildren();
  (state.stats || []).forEach(function (b) {
    var m = b.role === 'PREFILL' ? b.ttft : b.itl;
    var tr = document.createElement('tr');
    tr.tabIndex = 0;
    [b.role.toLowerCase(), b.mapping, b.in_flight, b.isl, b.ok, b.warmup, b.failed, b.role === 'PREFILL' ? 'TTFT' : 'ITL',
      num(m.mean_ms, 2), num(m.p50_ms, 2), num(m.p90_ms, 2), num(m.p99_ms, 2)].forEach(function (c) {
      tr.appendChild(el('td', c));
    });
    body.appendChild(tr);
  });
}
