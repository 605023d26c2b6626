// The live event stream, read with fetch (not EventSource) so it can carry the Authorization header: a "hello" loads
// the list, a "recommendation" of the shown key refreshes it.
import { state } from './state.js';
import { $ } from './dom.js';
import { askForToken, withCredentials } from './api.js';
import { loadList, scheduleRefresh } from './data.js';

function setConn(text, cls) {
  var c = $('conn');
  c.textContent = text;
  c.className = 'conn ' + cls;
  state.connected = cls === 'live';
}

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
export function connect() {
  if (connecting) { return; }
  connecting = true;
  fetch('/api/events', withCredentials({ headers: { 'Accept': 'text/event-stream' } })).then(function (r) {
    if (r.status === 401) {
      connecting = false;
      setConn('needs an API token', 'down');
      return askForToken();
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
