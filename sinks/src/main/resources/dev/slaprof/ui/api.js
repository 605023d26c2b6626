import { state } from './state.js';
import { $ } from './dom.js';

// ---- credentials -----------------------------------------------------------------------------------------
// The API token is asked for once, when the server first answers 401, and kept in sessionStorage only (gone when
// the tab closes); it travels in the Authorization header, never in a URL. Writes also carry this page's CSRF
// token, which is all a same-origin page needs when the server has no token file.

var TOKEN_KEY = 'slaprof.apiToken';
/** Called once a token has been entered (the live stream reconnects with it). */
var tokenListeners = [];
export function onTokenEntered(f) { tokenListeners.push(f); }

function apiToken() {
  try { return window.sessionStorage.getItem(TOKEN_KEY); } catch (e) { return null; }
}

function csrfToken() {
  var m = document.querySelector('meta[name="csrf-token"]');
  return m ? m.getAttribute('content') : '';
}

export function withCredentials(options) {
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

// The prompt's words: what is needed and where it comes from, never the server's raw error text.
var TOKEN_NEEDED = 'This slaprof server is protected. Enter an API token (one line of the file its operator gave '
  + 'with --api-token-file).';
var TOKEN_REFUSED = 'That API token was not accepted. Enter a current one (one line of the server\'s '
  + '--api-token-file).';

var authWaiters = [];
export function askForToken(message) {
  var form = $('auth');
  $('auth-message').textContent = message || TOKEN_NEEDED;
  form.hidden = false;
  $('auth-token').focus();
  return new Promise(function (resolve) { authWaiters.push(resolve); });
}

export function tokenEntered(e) {
  e.preventDefault();
  var v = $('auth-token').value.trim();
  if (!v) { return; }
  try { window.sessionStorage.setItem(TOKEN_KEY, v); } catch (err) { /* private mode: kept for this call only */ }
  $('auth-token').value = '';
  $('auth').hidden = true;
  var waiting = authWaiters;
  authWaiters = [];
  waiting.forEach(function (resolve) { resolve(); });
  tokenListeners.forEach(function (f) { f(); });
}

export function getJson(url, options, retried) {
  return fetch(url, withCredentials(options)).then(function (r) {
    return r.json().then(function (body) {
      if (r.status === 401 && !retried) {
        var had = apiToken();
        try { window.sessionStorage.removeItem(TOKEN_KEY); } catch (e) { /* nothing stored */ }
        return askForToken(had ? TOKEN_REFUSED : TOKEN_NEEDED).then(function () { return getJson(url, options, true); });
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

export function base() {
  return '/api/recommendations/' + encodeURIComponent(state.key.deployment) + '/' + encodeURIComponent(state.key.profile);
}

export function report(e) {
  state.failures = (state.failures || []).concat([e && e.message ? e.message : String(e)]);
  $('preview-title').textContent = 'Error: ' + (e && e.message ? e.message : String(e));
}
