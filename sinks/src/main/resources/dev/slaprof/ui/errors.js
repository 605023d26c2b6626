'use strict';
// Loaded first: records script errors and console errors so a browser test (and a curious user) can read them.
window.slaprofErrors = [];
window.addEventListener('error', function (e) {
  window.slaprofErrors.push(String(e.message || e.type) + (e.filename ? ' at ' + e.filename + ':' + e.lineno : ''));
}, true);
window.addEventListener('unhandledrejection', function (e) {
  window.slaprofErrors.push('unhandled rejection: ' + String(e.reason && e.reason.message || e.reason));
});
(function () {
  var original = console.error;
  console.error = function () {
    window.slaprofErrors.push(Array.prototype.map.call(arguments, String).join(' '));
    return original.apply(console, arguments);
  };
})();
