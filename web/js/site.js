// site.js - shared page behaviour: fills the CA name (and the code lifetime)
// from /api/v1/info, and this server's address where a page shows commands.
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
    document.querySelectorAll('[data-code-lifetime]').forEach(function (el) {
      el.textContent = String(info.code_lifetime);
    });
    document.querySelectorAll('[data-support-phone]').forEach(function (el) {
      if (info.support_phone) el.textContent = info.support_phone;
    });
    document.querySelectorAll('[data-support-email]').forEach(function (el) {
      if (!info.support_email) return;
      el.textContent = info.support_email;
      if (el.tagName === 'A') el.href = 'mailto:' + info.support_email;
    });
    if (document.title.indexOf('—') < 0) {
      document.title = document.title + ' — ' + info.ca_name;
    }
  }
  document.querySelectorAll('[data-origin]').forEach(function (el) {
    el.textContent = window.location.origin;
  });
  fetch('/api/v1/info', { credentials: 'same-origin' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (info) { if (info) fill(info); })
    .catch(function () { /* the page stays usable with its default texts */ });
})();
