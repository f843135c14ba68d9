// eimza.js - the e-İmza page: offers the application's packages that this
// server has (GET /api/v1/downloads, from downloads.dir) as "İndirmek için
// tıklayınız" links, each with its size and SHA-256.  Without packages it
// says so; the "build from source" text stays either way.
'use strict';

(function () {
  function size(n) {
    if (n >= 1048576) return (n / 1048576).toFixed(1).replace('.', ',') + ' MB';
    return Math.max(1, Math.round(n / 1024)) + ' KB';
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }
  function show(files) {
    var list = document.querySelector('[data-download-list]');
    var box = document.querySelector('[data-downloads]');
    var none = document.querySelector('[data-no-downloads]');
    // The application's packages only (not its debug symbols).
    var apps = files.filter(function (f) { return /^eimza_[^/]*\.deb$/.test(f.name); });
    if (!list || !box || apps.length === 0) {
      if (none) none.hidden = false;
      return;
    }
    apps.forEach(function (f) {
      var li = el('li');
      var a = el('a', 'download-link', 'İndirmek için tıklayınız');
      a.href = f.url;
      a.setAttribute('download', f.name);
      li.appendChild(a);
      li.appendChild(document.createTextNode(' '));
      li.appendChild(el('span', 'download-file', f.name + ' (' + size(f.size) + ')'));
      var sum = el('div', 'download-sum');
      sum.appendChild(document.createTextNode('SHA-256: '));
      sum.appendChild(el('code', 'hash', f.sha256));
      li.appendChild(sum);
      list.appendChild(li);
    });
    document.querySelectorAll('[data-download-name]').forEach(function (e) {
      e.textContent = apps[0].name;
    });
    box.hidden = false;
    if (none) none.hidden = true;
  }
  fetch('/api/v1/downloads', { credentials: 'same-origin', cache: 'no-store' })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (d) { show(d && Array.isArray(d.files) ? d.files : []); })
    .catch(function () { show([]); });
})();
