// site.js - shared page behaviour: fills the CA name from /api/v1/info.
// No inline scripts anywhere (the Content-Security-Policy forbids them).
'use strict';

(function () {
  function fill(info) {
    document.querySelectorAll('[data-ca-name]').forEach(function (el) {
      el.textContent = info.ca_name;
    });
    document.querySelectorAll('[data-ca-short]').forEach(function (el) {
      el.textContent = info.ca_short_name;
    });
    if (document.title.indexOf('—') < 0) {
      document.title = document.title + ' — ' + info.ca_name;
    }
  }
  fetch('/api/v1/info', { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (info) { if (info) fill(info); })
    .catch(function () { /* the page stays usable with its default texts */ });
})();
