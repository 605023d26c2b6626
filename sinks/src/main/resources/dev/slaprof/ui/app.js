'use strict';
// slaprof live UI. Every value from the server reaches the page through textContent or esc(); nothing is parsed
// as markup. State is exposed as window.slaprof for the browser tests.
(function () {
  var state = {
    list: [], key: null, rec: null, grids: null, stats: null, renders: 0, events: 0,
    tab: 'prefill', showDollars: false, price: 2.0, charts: {}, options: {}, index: {}, connected: false
  };
  window.slaprof = state;

  function $(id) { return document.getElementById(id); }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  }

  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c];
    });
  }

  function num(x, digits) {
    return typeof x === 'number' && isFinite(x) ? x.toFixed(digits) : '-';
  }

  function grouped(x) {
    return typeof x === 'number' && isFinite(x) ? Math.round(x).toLocaleString('en-US') : '-';
  }

  function ago(us) {
    if (!us) { return 'never'; }
    var s = Math.max(0, (Date.now() - us / 1000) / 1000);
    return s < 120 ? s.toFixed(0) + ' s ago' : s < 7200 ? (s / 60).toFixed(0) + ' min ago' : (s / 3600).toFixed(1) + ' h ago';
  }

  // ---- credentials -----------------------------------------------------------------------------------------
  // The API token is asked for once, when the server first answers 401, and kept in sessionStorage only (gone when
  // the tab closes); it travels in the Authorization header, never in a URL. Writes also carry this page's CSRF
  // token, which is all a same-origin page needs when the server has no token file.

  var TOKEN_KEY = 'slaprof.apiToken';

  function apiToken() {
    try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
  }

  function csrfToken() {
    var m = document.querySelector('meta[name="csrf-token"]');
    return m ? m.getAttribute('content') : '';
  }

  function withCredentials(options) {
    var o = Object.assign({}, options || {});
    var h = Object.assign({}, o.headers || {});
    var t = apiToken();
    if (t) { h['Authorization'] = 'Bearer ' + t; }
    var method = (o.method || 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') { h['X-CSRF-Token'] = csrfToken(); }
    o.headers = h;
    o.credentials = 'same-origin';
    return o;
  }

  var authWaiters = [];
  function askForToken(message) {
    var form = $('auth');
    $('auth-message').textContent = message || 'This server needs an API token.';
    form.hidden = false;
    $('auth-token').focus();
    return new Promise(function (resolve) { authWaiters.push(resolve); });
  }

  function tokenEntered(e) {
    e.preventDefault();
    var v = $('auth-token').value.trim();
    if (!v) { return; }
    try { window.sessionStorage.setItem(TOKEN_KEY, v); } catch (err) { /* private mode: kept for this call only */ }
    $('auth-token').value = '';
    $('auth').hidden = true;
    var waiting = authWaiters;
    authWaiters = [];
    waiting.forEach(function (resolve) { resolve(); });
    if (!state.connected) { connect(); }
  }

  function getJson(url, options, retried) {
    return fetch(url, withCredentials(options)).then(function (r) {
      return r.json().then(function (body) {
        if (r.status === 401 && !retried) {
          try { window.sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
          return askForToken(body && body.error).then(function () { return getJson(url, options, true); });
        }
        if (r.status === 403 && !retried && body && /CSRF/.test(body.error || '')) {
          // The server restarted since this page was served (its CSRF key is new): take a fresh token, once.
          return fetch('/api/session', withCredentials({})).then(function (s) { return s.json(); }).then(function (s) {
            var m = document.querySelector('meta[name="csrf-token"]');
            if (m && s.csrf_token) { m.setAttribute('content', s.csrf_token); }
            return getJson(url, options, true);
          });
        }
        if (!r.ok) { throw new Error(body && body.error ? body.error : 'HTTP ' + r.status); }
        return body;
      });
    });
  }

  function base() {
    return '/api/recommendations/' + encodeURIComponent(state.key.deployment) + '/' + encodeURIComponent(state.key.profile);
  }

  // ---- connection and data -------------------------------------------------------------------------------------

  function setConn(text, cls) {
    var c = $('conn');
    c.textContent = text;
    c.className = 'conn ' + cls;
    state.connected = cls === 'live';
  }

  // The live event stream is read with fetch (not EventSource), so it can carry the Authorization header.
  function onEvent(name, data) {
    if (name === 'hello') {
      setConn('live', 'live');
      loadList();
    } else if (name === 'recommendation') {
      state.events++;
      var m = JSON.parse(data);
      var known = state.list.some(function (x) { return x.deployment === m.deployment && x.profile === m.profile; });
      if (!known) {
        loadList();
      } else if (state.key && state.key.deployment === m.deployment && state.key.profile === m.profile) {
        scheduleRefresh();
      }
    }
  }

  var connecting = false;
  function connect() {
    if (connecting) { return; }
    connecting = true;
    fetch('/api/events', withCredentials({ headers: { 'Accept': 'text/event-stream' } })).then(function (r) {
      if (r.status === 401) {
        connecting = false;
        setConn('needs an API token', 'down');
        return askForToken('The live view needs an API token.');
      }
      if (!r.ok || !r.body) { throw new Error('HTTP ' + r.status); }
      var reader = r.body.getReader();
      var decoder = new TextDecoder();
      var buffer = '';
      var name = 'message';
      var data = [];
      function pump() {
        return reader.read().then(function (chunk) {
          if (chunk.done) { throw new Error('stream ended'); }
          buffer += decoder.decode(chunk.value, { stream: true });
          var lines = buffer.split(/\r?\n/);
          buffer = lines.pop();
          lines.forEach(function (line) {
            if (line === '') {
              if (data.length) { onEvent(name, data.join('\n')); }
              name = 'message';
              data = [];
            } else if (line.indexOf('event:') === 0) {
              name = line.slice(6).trim();
            } else if (line.indexOf('data:') === 0) {
              data.push(line.slice(5).replace(/^ /, ''));
            }
          });
          return pump();
        });
      }
      return pump();
    }).catch(function () {
      connecting = false;
      setConn('connection lost, reconnecting', 'down');
      setTimeout(connect, 2000);
    });
  }

  function loadList() {
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

  function choose(value) {
    var parts = value.split('\u0000');
    if (state.key && state.key.deployment === parts[0] && state.key.profile === parts[1]) { return; }
    state.key = { deployment: parts[0], profile: parts[1] };
    scheduleRefresh();
  }

  // One refresh at a time; events that arrive meanwhile fold into one more refresh when it completes.
  var inFlight = false;
  var again = false;
  function scheduleRefresh() {
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

  function report(e) {
    state.failures = (state.failures || []).concat([e && e.message ? e.message : String(e)]);
    $('preview-title').textContent = 'Error: ' + (e && e.message ? e.message : String(e));
  }

  // ---- rendering ---------------------------------------------------------------------------------------------

  function render() {
    renderCard();
    renderPrefill();
    renderDecode();
    renderCost();
    renderInterpolation();
    renderStats();
    applyCharts();
  }

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
      + grouped(p.thpt_per_gpu) + ' tokens/s/GPU, ' + p.mapping.gpus + ' GPU' + (p.mapping.gpus > 1 ? 's' : ''), 'line'));
    target.appendChild(el('p', 'Evidence: ' + p.samples + ' samples, 95% CI ' + ci(p) + (p.samples >= 2 ? ' ms' : '')
      + ', throughput ' + p.thpt_method + ', ' + pick.point_source, 'line'));
    target.appendChild(el('p', 'Why: ' + pick.reason, 'line'));
  }

  function renderCard() {
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
    var mode = $('mode-pick');
    var m = r.mode_pick;
    if (m && m.rows && m.rows.length) {
      var best = m.rows[0];
      mode.textContent = 'Dynamo 1.x ' + m.mode.toLowerCase().replace('_', '-') + ' pick: ' + best.prefill_replicas
        + ' x ' + best.prefill_label + ' prefill + ' + best.decode_replicas + ' x ' + best.decode_label + ' decode at '
        + best.decode_in_flight + ' in flight, ' + best.total_gpus + ' GPUs'
        + (r.sla.total_gpus ? ' (budget ' + r.sla.total_gpus + ')' : ' (no budget)')
        + (m.load_served_pct !== null && m.load_served_pct !== undefined ? ', serving ' + num(m.load_served_pct, 1)
          + ' % of the load' : '') + ', ' + num(best.cluster_tokens_per_s_per_gpu, 1) + ' tokens/s/GPU'
        + (m.feasible ? '' : ' (misses the SLA)') + '. ' + m.reason;
      mode.hidden = false;
    } else {
      mode.hidden = true;
    }
    updateMeta();
    var w = $('warnings');
    w.replaceChildren();
    (r.warnings || []).forEach(function (x) { w.appendChild(el('li', x)); });
  }

  function updateMeta() {
    var r = state.rec;
    if (!r) { return; }
    $('card-meta').textContent = 'Data ' + r.data_source + '; ' + grouped(r.samples_total) + ' samples; newest sample '
      + ago(r.newest_sample_us) + '; computed ' + ago(r.generated_at_us) + '; SLA TTFT <= ' + num(r.sla.ttft_ms, 1)
      + ' ms, ITL <= ' + num(r.sla.itl_ms, 1) + ' ms at ISL ' + r.sla.isl + ' / OSL ' + r.sla.osl + ', statistic '
      + r.sla.statistic + '; ' + r.deployment.model + ' on ' + r.deployment.gpu_type + ' (' + r.deployment.backend + ')';
  }

  function isPicked(pick, p) {
    return pick && pick.point.label === p.label && pick.point.in_flight === p.in_flight && pick.point.role === p.role;
  }

  function fillTable(id, rows, cells, onPick, onShow, indexOf, chartName, picked) {
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

  function targetLine(value, name) {
    return {
      silent: true, symbol: 'none',
      lineStyle: { color: '#d62728', type: 'dashed', width: 2 },
      label: { formatter: name + ' ' + value + ' ms' },
      data: [{ xAxis: value }]
    };
  }

  // The axis always spans the SLA target, so its line is visible even when every point is far from it.
  function withTarget(axis, target) {
    axis.min = function (v) { return Math.max(0, Math.floor(Math.min(v.min, target) * 0.9)); };
    axis.max = function (v) { return Math.ceil(Math.max(v.max, target) * 1.05); };
    return axis;
  }

  function ci(p) {
    return p.samples < 2 || p.ci_low_ms === null ? 'n/a (' + p.samples + ' sample' + (p.samples === 1 ? ')' : 's)')
      : num(p.ci_low_ms, 1) + ' to ' + num(p.ci_high_ms, 1);
  }

  function tooltip(lines) {
    return lines.map(esc).join('<br>');
  }

  function renderPrefill() {
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

  function pinnedDecode() { return state.rec.pinned ? state.rec.pinned.decode_label : null; }
  function pinnedInFlight() { return state.rec.pinned ? state.rec.pinned.decode_in_flight : null; }
  function pinnedPrefill() { return state.rec.pinned ? state.rec.pinned.prefill_label : null; }

  function byMapping(points) {
    var groups = [];
    var at = {};
    points.forEach(function (p, i) {
      if (!(p.label in at)) { at[p.label] = groups.length; groups.push({ label: p.label, items: [] }); }
      groups[at[p.label]].items.push(i);
    });
    return groups;
  }

  function renderDecode() {
    var r = state.rec;
    var pts = r.decode_points;
    var front = new Set(r.decode_front);
    var groups = byMapping(pts);
    var index = [];
    var series = groups.map(function (g, s) {
      g.items.sort(function (a, b) { return pts[a].in_flight - pts[b].in_flight; });
      g.items.forEach(function (i, d) { index[i] = [s, d]; });
      return {
        name: g.label, type: 'line', symbolSize: 8,
        data: g.items.map(function (i) { return [pts[i].latency_ms, pts[i].thpt_per_gpu, i]; }),
        emphasis: { focus: 'none', scale: 1.8, itemStyle: { borderColor: '#000', borderWidth: 2 } },
        markLine: s === 0 ? targetLine(r.sla.itl_ms, 'ITL target') : undefined
      };
    });
    state.index.decode = index;
    state.options.decode = {
      animation: false,
      title: { text: 'Decode: ITL vs thpt/GPU, one line per mapping (points = in-flight loads)', left: 'center', textStyle: { fontSize: 13 } },
      legend: { top: 20 },
      tooltip: { trigger: 'item', confine: true, formatter: function (q) {
        var p = pts[q.data[2]];
        return p ? tooltip([p.label + ' at ' + p.in_flight + ' in flight', 'ITL ' + num(p.latency_ms, 2) + ' ms',
          grouped(p.thpt_per_gpu) + ' tokens/s/GPU']) : '';
      } },
      grid: { left: 70, right: 30, top: 50, bottom: 45 },
      xAxis: withTarget({ type: 'value', name: 'ITL (ms)', nameLocation: 'middle', nameGap: 28 }, r.sla.itl_ms),
      yAxis: { type: 'value', name: 'tokens/s/GPU', scale: true },
      series: series
    };
    fillTable('table-decode', pts, function (p) {
      return [p.label, p.mapping.gpus, p.in_flight, num(p.latency_ms, 2), ci(p),
        grouped(p.thpt_per_gpu), p.samples, front.has(pts.indexOf(p)) ? 'yes' : ''];
    }, function (p) {
      pin({ prefill_label: pinnedPrefill(), decode_label: p.label, decode_in_flight: p.in_flight }, null, p.label, p.in_flight);
    }, function (p) {
      preview(null, p.label, p.in_flight, 'Preview: decode ' + p.label + ' at ' + p.in_flight + ' in flight');
    }, function (i) { return state.index.decode[i]; }, 'decode', function (p) { return isPicked(r.decode, p); });
  }

  function costValue(row) {
    return state.showDollars ? row.gpu_hours * state.price : row.gpu_hours;
  }

  function renderCost() {
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
      legend: { top: 20 },
      tooltip: { trigger: 'item', confine: true, formatter: function (q) {
        var c = rows[q.data[2]];
        if (!c) { return ''; }
        return tooltip(['prefill ' + r.prefill_points[c.prefill_index].label + ', decode '
          + r.decode_points[c.decode_index].label + ' at ' + r.decode_points[c.decode_index].in_flight,
          num(c.tokens_per_user, 1) + ' tokens/s/user', num(costValue(c), 3) + ' ' + unit]);
      } },
      grid: { left: 70, right: 30, top: 50, bottom: 45 },
      xAxis: { type: 'value', name: 'tokens/s/user', nameLocation: 'middle', nameGap: 28, scale: true },
      yAxis: { type: 'value', name: unit, scale: true },
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

  function heat(name, title, xi, yi, z, unit) {
    var data = [];
    var lo = Infinity;
    var hi = -Infinity;
    for (var iy = 0; iy < yi.length; iy++) {
      for (var ix = 0; ix < xi.length; ix++) {
        var v = z[iy][ix];
        if (typeof v === 'number' && isFinite(v)) {
          data.push([ix, iy, v]);
          lo = Math.min(lo, v);
          hi = Math.max(hi, v);
        }
      }
    }
    state.options[name] = {
      animation: false,
      title: { text: title, left: 'center', textStyle: { fontSize: 12 } },
      tooltip: { confine: true, formatter: function (q) {
        return tooltip(['KV usage ' + num(xi[q.data[0]], 3), 'context ' + grouped(yi[q.data[1]]), num(q.data[2], 2) + ' ' + unit]);
      } },
      grid: { left: 60, right: 20, top: 30, bottom: 80 },
      xAxis: { type: 'category', name: 'KV usage', nameLocation: 'middle', nameGap: 22,
        data: xi.map(function (x) { return num(x, 2); }) },
      yAxis: { type: 'category', name: 'context', data: yi.map(function (y) { return grouped(y); }) },
      visualMap: { min: isFinite(lo) ? lo : 0, max: isFinite(hi) ? hi : 1, calculable: false, orient: 'horizontal',
        left: 'center', bottom: 0, itemHeight: 120, text: [num(hi, 1), num(lo, 1)],
        inRange: { color: ['#313695', '#4575b4', '#abd9e9', '#fee090', '#f46d43', '#a50026'] } },
      series: [{ name: title, type: 'heatmap', data: data, progressive: 0 }]
    };
  }

  function renderInterpolation() {
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
      heat('itl-heat', 'Decode ITL (ms) over KV usage and context', g.decode.xi_kv_usage, g.decode.yi_context_length,
        g.decode.itl_ms, 'ms');
      heat('thpt-heat', 'Decode tokens/s/GPU over KV usage and context', g.decode.xi_kv_usage,
        g.decode.yi_context_length, g.decode.thpt_per_gpu, 'tokens/s/GPU');
    } else {
      notes.push('Decode interpolation: ' + (g.decode && g.decode.error ? g.decode.error : 'no table yet'));
      delete state.options['itl-heat'];
      delete state.options['thpt-heat'];
    }
    $('interp-note').textContent = notes.join(' ');
  }

  function renderStats() {
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

  // ---- charts ------------------------------------------------------------------------------------------------

  var CHARTS = { prefill: 'prefill', decode: 'decode', cost: 'cost', 'ttft-isl': 'interp', 'itl-heat': 'interp',
    'thpt-heat': 'interp' };

  function applyCharts() {
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

  // ---- actions -----------------------------------------------------------------------------------------------

  function configUrl(prefill, decode, inFlight) {
    var q = [];
    if (prefill) { q.push('prefill=' + encodeURIComponent(prefill)); }
    if (decode) { q.push('decode=' + encodeURIComponent(decode)); }
    if (decode && inFlight !== null && inFlight !== undefined) { q.push('in_flight=' + inFlight); }
    return base() + '/config' + (q.length ? '?' + q.join('&') : '');
  }

  function preview(prefill, decode, inFlight, title) {
    return getJson(configUrl(prefill, decode, inFlight)).then(function (c) {
      $('preview-title').textContent = title;
      $('preview-yaml').textContent = c.yaml;
    }).catch(report);
  }

  function pin(choice, prefill, decode, inFlight) {
    var title = 'Pinned: ' + [choice.prefill_label ? 'prefill ' + choice.prefill_label : null,
      choice.decode_label ? 'decode ' + choice.decode_label + (choice.decode_in_flight ? ' at ' + choice.decode_in_flight : '') : null]
      .filter(Boolean).join(', ') + ' (files follow on the next recomputation)';
    preview(prefill || choice.prefill_label, decode || choice.decode_label, decode ? inFlight : choice.decode_in_flight, title);
    return getJson(base() + '/pin', { method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(choice) }).then(function (r) {
      state.lastPin = r;
    }).catch(report);
  }

  function unpin() {
    return getJson(base() + '/pin', { method: 'DELETE' }).then(function () {
      $('preview-title').textContent = 'Unpinned: the automatic choice applies from the next recomputation';
    }).catch(report);
  }

  // ---- tabs and wiring ---------------------------------------------------------------------------------------

  function selectTab(name, focus) {
    state.tab = name;
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
    selectTab('prefill', false);
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
})();
