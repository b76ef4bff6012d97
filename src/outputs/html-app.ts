/**
 * The HTML report's style and script (html.ts embeds them). The script reads the alerts' JSON
 * and builds everything with createElement and textContent: alert text never becomes markup.
 * Controls and bidi characters are shown as visible `\uXXXX` escapes (as on a terminal), so an
 * ANSI sequence or a right-to-left override in a command line cannot disguise it.
 */
export const REPORT_STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 16px 40px;color:#1d232b;background:#fafbfc}
h1{margin:16px 0 4px;font-size:22px}h2{font-size:17px;margin:22px 0 8px}.muted{color:#66707a;margin:0}
#totals{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
table{border-collapse:collapse;width:100%;background:#fff}td,th{border:1px solid #dde2e7;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef1f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
tr.pick{cursor:pointer}tr.pick:hover{background:#f1f6ff}
.lv{display:inline-block;min-width:84px;text-align:center;border-radius:3px;padding:0 6px;color:#fff;font-weight:600;font-size:12px}
.lv-critical{background:#7b1fa2}.lv-high{background:#c62828}.lv-medium{background:#ef6c00}.lv-low{background:#1565c0}.lv-informational,.lv-unknown{background:#546e7a}
#filters{display:flex;gap:10px;flex-wrap:wrap;margin-bottom:6px}#filters label{display:flex;gap:4px;align-items:center}
details.alert{background:#fff;border:1px solid #dde2e7;border-radius:4px;margin:5px 0;padding:4px 8px}
details.alert summary{cursor:pointer}details.alert summary span{margin-right:8px}
code,.mono{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;white-space:pre-wrap;word-break:break-all}
ol.tree{margin:4px 0;padding-left:20px}ol.tree li{margin:2px 0}
#timeline svg{background:#fff;border:1px solid #dde2e7;width:100%;height:120px}
`;

export const REPORT_SCRIPT = `
(function () {
  'use strict';
  var alerts = JSON.parse(document.getElementById('alert-data').textContent);
  var LEVELS = ['critical', 'high', 'medium', 'low', 'informational', 'unknown'];
  var UNSAFE = /[\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069]/g;
  function visible(s) {
    if (s === undefined || s === null) return '';
    return String(s).replace(UNSAFE, function (c) { return '\\\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4); });
  }
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    if (attrs) for (var k in attrs) e.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) { e.appendChild(typeof c === 'string' ? document.createTextNode(visible(c)) : c); });
    return e;
  }
  function level(l) { return el('span', { class: 'lv lv-' + (LEVELS.indexOf(l) < 0 ? 'unknown' : l) }, [l]); }
  function count(key) {
    var m = new Map();
    alerts.forEach(function (a) { var k = key(a) || '(none)'; m.set(k, (m.get(k) || 0) + 1); });
    return Array.from(m.entries()).sort(function (x, y) { return y[1] - x[1] || (x[0] < y[0] ? -1 : 1); });
  }
  var filters = { level: '', rule: '', host: '' };
  var selects = {};

  document.getElementById('overview').textContent = alerts.length + ' alert' + (alerts.length === 1 ? '' : 's') + ' from ' + count(function (a) { return a.host; }).length + ' host(s), ' + count(function (a) { return a.rule; }).length + ' rule(s)';

  function totals(title, what, key, label) {
    var rows = count(key).map(function (e) {
      var tr = el('tr', { class: 'pick', title: 'show only these' }, [el('td', null, what === 'level' ? [level(e[0])] : [label ? label(e[0]) : e[0]]), el('td', { class: 'n' }, [String(e[1])])]);
      tr.addEventListener('click', function () { setFilter(what, e[0]); });
      return tr;
    });
    return el('div', null, [el('h2', null, [title]), el('table', { id: 'by-' + what }, [el('tr', null, [el('th', null, [what]), el('th', null, ['alerts'])])].concat(rows))]);
  }
  var titles = new Map(alerts.map(function (a) { return [a.rule, a.title]; }));
  var byLevel = count(function (a) { return a.level; }).sort(function (x, y) { return LEVELS.indexOf(x[0]) - LEVELS.indexOf(y[0]); });
  var totalsSection = document.getElementById('totals');
  totalsSection.appendChild(totals('By level', 'level', function (a) { return a.level; }));
  totalsSection.appendChild(totals('By rule', 'rule', function (a) { return a.rule; }, function (r) { return titles.get(r) || r; }));
  totalsSection.appendChild(totals('By host', 'host', function (a) { return a.host; }));

  function timeline() {
    var times = alerts.map(function (a) { return Date.parse(a.time); }).filter(function (t) { return !isNaN(t); });
    var box = document.getElementById('timeline');
    if (times.length === 0) { box.appendChild(el('p', { class: 'muted' }, ['No alert has a time.'])); return; }
    var min = Math.min.apply(null, times), max = Math.max.apply(null, times), n = 60;
    var span = Math.max(max - min, 1), buckets = new Array(n).fill(0);
    times.forEach(function (t) { buckets[Math.min(n - 1, Math.floor((t - min) / span * n))] += 1; });
    var top = Math.max.apply(null, buckets), NS = 'http://www.w3.org/2000/svg';
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 600 120');
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', 'alerts over time');
    buckets.forEach(function (c, i) {
      if (c === 0) return;
      var h = Math.max(2, c / top * 100), r = document.createElementNS(NS, 'rect');
      r.setAttribute('x', String(i * 10 + 1)); r.setAttribute('width', '8'); r.setAttribute('y', String(110 - h)); r.setAttribute('height', String(h)); r.setAttribute('fill', '#c62828');
      var t = document.createElementNS(NS, 'title');
      t.textContent = c + ' alert(s) from ' + new Date(min + span * i / n).toISOString();
      r.appendChild(t); svg.appendChild(r);
    });
    box.appendChild(svg);
    box.appendChild(el('p', { class: 'muted' }, [new Date(min).toISOString() + '  to  ' + new Date(max).toISOString()]));
  }
  timeline();

  var filterBox = document.getElementById('filters');
  [['level', 'Level'], ['rule', 'Rule'], ['host', 'Host']].forEach(function (f) {
    var select = el('select', { id: 'filter-' + f[0] }, [el('option', { value: '' }, ['all'])]);
    (f[0] === 'level' ? byLevel : count(function (a) { return a[f[0]]; })).forEach(function (e) {
      var option = el('option', null, [f[0] === 'rule' ? (titles.get(e[0]) || e[0]) + ' (' + e[1] + ')' : e[0] + ' (' + e[1] + ')']);
      option.value = e[0];
      select.appendChild(option);
    });
    select.addEventListener('change', function () { setFilter(f[0], select.value); });
    selects[f[0]] = select;
    filterBox.appendChild(el('label', null, [f[1], select]));
  });

  function fieldTable(obj) {
    var rows = Object.keys(obj || {}).filter(function (k) { return obj[k] !== null && obj[k] !== undefined; }).map(function (k) {
      return el('tr', null, [el('th', null, [k]), el('td', null, [el('code', null, [String(obj[k])])])]);
    });
    return el('table', null, rows);
  }
  function treeList(entries) {
    return el('ol', { class: 'tree' }, entries.map(function (e, i) {
      return el('li', null, [i === 0 ? 'this process: ' : 'parent: ', el('code', null, [e.commandLine || e.image || '?']), e.pid !== undefined ? ' (pid ' + e.pid + ')' : '']);
    }));
  }
  var list = document.getElementById('alerts');
  var items = alerts.map(function (a) {
    var body = [el('h3', null, ['Process tree']), treeList(a.tree || [])];
    if (a.install) body.push(el('p', null, ['install: ', el('code', null, [a.install.commandLine || a.install.image || '?'])]));
    body.push(el('h3', null, ['Event']), fieldTable(a.fields), el('h3', null, ['Columns']), fieldTable(a.columns));
    if (a.related && a.related.length) body.push(el('h3', null, ['Related activity of the install']), el('ul', null, a.related.map(function (r) { return el('li', null, [(r.time || '') + ' ' + r.category + ' ', el('code', null, [(r.image || '') + ' → ' + (r.target || '')])]); })));
    if (a.correlated && a.correlated.length) body.push(el('h3', null, ['Correlated events']), el('ul', null, a.correlated.map(function (c) { return el('li', null, [(c.time || '') + ' ' + (c.host || '') + ' ' + c.title]); })));
    body.push(el('p', { class: 'muted' }, ['rule ' + a.rule + ' · pack ' + a.pack + (a.label ? ' · ' + a.label : '') + ' · ' + a.source]));
    var d = el('details', { class: 'alert' }, [el('summary', null, [level(a.level), el('span', { class: 'mono' }, [a.time || '(no time)']), el('span', null, [a.host || '(no host)']), el('strong', null, [a.title])])].concat(body));
    d.dataset.level = a.level; d.dataset.rule = a.rule; d.dataset.host = a.host || '(none)';
    list.appendChild(d);
    return d;
  });
  function setFilter(what, value) {
    filters[what] = value;
    selects[what].value = value;
    apply();
  }
  function apply() {
    var shown = 0;
    items.forEach(function (d) {
      var ok = (!filters.level || d.dataset.level === filters.level) && (!filters.rule || d.dataset.rule === filters.rule) && (!filters.host || d.dataset.host === filters.host);
      d.hidden = !ok;
      if (ok) shown += 1;
    });
    document.getElementById('shown').textContent = 'showing ' + shown + ' of ' + alerts.length;
  }
  apply();
})();
`;
