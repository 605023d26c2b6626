// DOM helpers. Every value from the server reaches the page through textContent or esc(); nothing is parsed as
// markup.
export function $(id) { return document.getElementById(id); }

export function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (cls) { e.className = cls; }
  return e;
}

export function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
  });
}

export function num(x, digits) {
  return typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : '-';
}

export function grouped(x) {
  return typeof x === 'number' && isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-';
}

// "1 sample", "2 samples": a count with its noun, grouped.
export function plural(n, noun) {
  return grouped(n) + ' ' + noun + (n === 1 ? '' : 's');
}

export function ago(us) {
  if (!us) { return 'never'; }
  var s = Math.max(0, (Date.now() - us / 1000) / 1000);
  return s < 120 ? s.toFixed(0) + ' s ago' : s < 7200 ? (s / 60).toFixed(0) + ' min ago' : (s / 3600).toFixed(1) + ' h ago';
}
