// The recommendation card: the recommended deployment (the Dynamo 1.x mode pick) first, then the two per-role picks
// with their evidence, the pin and the warnings.
import { state } from './state.js';
import { $, ago, el, grouped, num, plural } from './dom.js';
import { ci } from './charts.js';

function pickBlock(target, title, pick, metric, target_ms, role) {
  target.replaceChildren();
  var h = el('h2', title);
  target.appendChild(h);
  if (!pick) {
    target.appendChild(el('p', 'No ' + role + ' point yet', 'line'));
    return;
  }
  var p = pick.point;
  var big = el('div', p.label + (role === 'decode' ? ' at ' + p.in_flight + ' in flight' : ''), 'big');
  big.appendChild(el('span', pick.feasible ? 'meets SLA' : 'misses SLA', 'badge ' + (pick.feasible ? 'ok' : 'bad')));
  target.appendChild(big);
  target.appendChild(el('p', metric + ' ' + num(p.latency_ms, 2) + ' ms (target ' + num(target_ms, 1) + ' ms), '
    + grouped(p.thpt_per_gpu) + ' tokens/s/GPU, ' + plural(p.mapping.gpus, 'GPU'), 'line'));
  target.appendChild(el('p', 'Evidence: ' + plural(p.samples, 'sample') + ', 95% CI ' + ci(p) + (p.samples >= 2 ? ' ms' : '')
    + ', throughput ' + p.thpt_method + ', ' + pick.point_source, 'line'));
  target.appendChild(el('p', 'Why: ' + pick.reason, 'line'));
}

// The answer first: the picking mode's deployment (engines, replicas, GPUs, tokens/s/GPU); the per-role picks follow.
function renderDeployment(r) {
  var box = $('mode-pick');
  box.replaceChildren();
  var m = r.mode_pick;
  if (!(m && m.rows && m.rows.length)) {
    box.hidden = true;
    $('roles-title').hidden = true;
    return;
  }
  var best = m.rows[0];
  var mode = m.mode.toLowerCase().replace('_', '-');
  box.appendChild(el('h2', 'Recommended deployment'));
  var big = el('div', best.prefill_replicas + ' x ' + best.prefill_label + ' prefill + ' + best.decode_replicas + ' x '
    + best.decode_label + ' decode at ' + best.decode_in_flight + ' in flight', 'big');
  big.appendChild(el('span', m.feasible ? 'meets SLA' : 'misses SLA', 'badge ' + (m.feasible ? 'ok' : 'bad')));
  box.appendChild(big);
  box.appendChild(el('p', plural(best.total_gpus, 'GPU') + (r.sla.total_gpus ? ' (budget ' + r.sla.total_gpus + ')'
    : ' (no budget)') + ', ' + num(best.cluster_tokens_per_s_per_gpu, 1) + ' tokens/s/GPU'
    + (m.load_served_pct !== null && m.load_served_pct !== undefined ? ', serving ' + num(m.load_served_pct, 1)
      + ' % of the load' : '') + '; Dynamo 1.x ' + mode + ' mode', 'line'));
  box.appendChild(el('p', 'Why: ' + m.reason, 'line'));
  var differs = !r.prefill || !r.decode || r.prefill.point.label !== best.prefill_label
    || r.decode.point.label !== best.decode_label || r.decode.point.in_flight !== best.decode_in_flight;
  if (differs) {
    box.appendChild(el('p', 'The per-role picks below differ: the deployment sizes prefill and decode replicas to '
      + 'each other and ranks the whole by tokens/s/GPU; the per-role rule ranks each engine alone.', 'line'));
  }
  box.hidden = false;
  $('roles-title').hidden = false;
}

export function renderCard() {
  var r = state.rec;
  $('card-empty').hidden = true;
  $('card-body').hidden = false;
  pickBlock($('pick-prefill'), 'Prefill', r.prefill, 'TTFT', r.sla.ttft_ms, 'prefill');
  pickBlock($('pick-decode'), 'Decode', r.decode, 'ITL', r.sla.itl_ms, 'decode');
  var pin = $('pin-state');
  pin.replaceChildren();
  if (r.pinned) {
    pin.appendChild(el('span', 'pinned', 'badge pin'));
    var auto = [];
    if (r.automatic_prefill) { auto.push('prefill ' + r.automatic_prefill.point.label); }
    if (r.automatic_decode) { auto.push('decode ' + r.automatic_decode.point.label + ' at ' + r.automatic_decode.point.in_flight); }
    pin.appendChild(el('span', ' by ' + (r.pinned.pinned_by || 'a user') + ' ' + ago(r.pinned.pinned_at_us)
      + (auto.length ? '; the automatic choice would be ' + auto.join(', ') : '')));
    $('unpin').hidden = false;
  } else {
    pin.appendChild(el('span', 'automatic choice (select a row to pin one)'));
    $('unpin').hidden = true;
  }
  renderDeployment(r);
  updateMeta();
  var w = $('warnings');
  w.replaceChildren();
  (r.warnings || []).forEach(function (x) { w.appendChild(el('li', x)); });
}

export function updateMeta() {
  var r = state.rec;
  if (!r) { return; }
  $('card-meta').textContent = 'Data ' + r.data_source + '; ' + plural(r.samples_total, 'sample') + '; newest sample '
    + ago(r.newest_sample_us) + '; computed ' + ago(r.generated_at_us) + '; SLA TTFT <= ' + num(r.sla.ttft_ms, 1)
    + ' ms, ITL <= ' + num(r.sla.itl_ms, 1) + ' ms at ISL ' + r.sla.isl + ' / OSL ' + r.sla.osl + ', statistic '
    + r.sla.statistic + '; ' + r.deployment.model + ' on ' + r.deployment.gpu_type + ' (' + r.deployment.backend + ')';
}
