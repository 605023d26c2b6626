// What a user does with a row: preview its DGD, pin it (selections topic), unpin.
import { state } from './state.js';
import { $ } from './dom.js';
import { base, getJson, report } from './api.js';

function configUrl(prefill, decode, inFlight) {
  var q = [];
  if (prefill) { q.push('prefill=' + encodeURIComponent(prefill)); }
  if (decode) { q.push('decode=' + encodeURIComponent(decode)); }
  if (decode && inFlight !== null && inFlight !== undefined) { q.push('in_flight=' + inFlight); }
  return base() + '/config' + (q.length ? '?' + q.join('&') : '');
}

export function preview(prefill, decode, inFlight, title) {
  return getJson(configUrl(prefill, decode, inFlight)).then(function (c) {
    $('preview-title').textContent = title;
    $('preview-yaml').textContent = c.yaml;
  }).catch(report);
}

export function pin(choice, prefill, decode, inFlight) {
  var title = 'Pinned: ' + [choice.prefill_label ? 'prefill ' + choice.prefill_label : null,
    choice.decode_label ? 'decode ' + choice.decode_label + (choice.decode_in_flight ? ' at ' + choice.decode_in_flight : '') : null]
    .filter(Boolean).join(', ') + ' (files follow on the next recomputation)';
  preview(prefill || choice.prefill_label, decode || choice.decode_label, decode ? inFlight : choice.decode_in_flight, title);
  return getJson(base() + '/pin', { method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(choice) }).then(function (r) {
    state.lastPin = r;
  }).catch(report);
}

export function unpin() {
  return getJson(base() + '/pin', { method: 'DELETE' }).then(function () {
    $('preview-title').textContent = 'Unpinned: the automatic choice applies from the next recomputation';
  }).catch(report);
}

export function pinnedDecode() { return state.rec.pinned ? state.rec.pinned.decode_label : null; }

export function pinnedInFlight() { return state.rec.pinned ? state.rec.pinned.decode_in_flight : null; }

export function pinnedPrefill() { return state.rec.pinned ? state.rec.pinned.prefill_label : null; }
