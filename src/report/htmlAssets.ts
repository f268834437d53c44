/**
 * The report's only style sheet and script. Both are constants (no data is ever spliced in),
 * so the page's Content-Security-Policy can allow exactly these two by their SHA-256.
 */

export const REPORT_CSS = `
:root{--fg:#0f172a;--muted:#64748b;--line:#e2e8f0;--bg:#f8fafc;--card:#fff;--accent:#1d4ed8}
*{box-sizing:border-box}
[hidden]{display:none!important}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
header,main,footer{max-width:1180px;margin:0 auto;padding:0 20px}
header{padding-top:22px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:16px;margin:0 0 10px}
h4{font-size:12px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted);margin:14px 0 4px}
.meta{color:var(--muted);margin:0 0 16px}
section{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 16px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(108px,1fr));gap:10px;background:none;border:0;padding:0}
.tile{background:var(--card);border:1px solid var(--line);border-left-width:5px;border-radius:10px;padding:10px 12px}
.tile .n{display:block;font-size:26px;font-weight:700;line-height:1.1}
.tile .l{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.t-total{border-left-color:var(--accent)}.t-failed{border-left-color:#dc2626}.t-warning{border-left-color:#ca8a04}
.t-passed{border-left-color:#16a34a}.t-na{border-left-color:#94a3b8}.t-high{border-left-color:#dc2626}
.t-medium{border-left-color:#ea580c}.t-low{border-left-color:#ca8a04}.t-archived{border-left-color:#cbd5e1}
.note{color:var(--muted);font-size:12px;margin:6px 0 0}
.chart{width:100%;height:auto;display:block}
.chart .grid{stroke:var(--line)}.chart .axisline{stroke:#94a3b8}
.chart .axis,.chart .empty{fill:var(--muted);font-size:11px}
.chart .bar:hover{opacity:.8}
.legend{list-style:none;display:flex;flex-wrap:wrap;gap:6px 16px;padding:0;margin:8px 0 0;font-size:12px}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px;vertical-align:-1px}
.k-fh0{fill:#b91c1c;background:#b91c1c}.k-fh1{fill:#ef4444;background:#ef4444}.k-fh2{fill:#f43f5e;background:#f43f5e}
.k-fh3{fill:#9f1239;background:#9f1239}.k-fh4{fill:#fb7185;background:#fb7185}.k-fh5{fill:#7f1d1d;background:#7f1d1d}
.k-fm0{fill:#ea580c;background:#ea580c}.k-fm1{fill:#f59e0b;background:#f59e0b}.k-fm2{fill:#c2410c;background:#c2410c}
.k-w0{fill:#eab308;background:#eab308}.k-w1{fill:#facc15;background:#facc15}.k-p0{fill:#16a34a;background:#16a34a}
.k-n0{fill:#64748b;background:#64748b}.k-n1{fill:#94a3b8;background:#94a3b8}.k-n2{fill:#cbd5e1;background:#cbd5e1}
.k-x{fill:#a855f7;background:#a855f7}
.sev-critical{fill:#7f1d1d;--sev:#7f1d1d}.sev-high{fill:#dc2626;--sev:#dc2626}.sev-medium{fill:#ea580c;--sev:#ea580c}
.sev-low{fill:#ca8a04;--sev:#ca8a04}.sev-informational{fill:#94a3b8;--sev:#94a3b8}.sev-other{fill:#a855f7;--sev:#a855f7}
.cols{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px;background:none;border:0;padding:0}
.cols>section{margin:0}
table{width:100%;border-collapse:collapse}
td{padding:5px 6px;border-top:1px solid var(--line);vertical-align:middle}
td.num{color:var(--muted);font-size:12px}
td.bar{width:170px}
.pick{all:unset;cursor:pointer;color:var(--accent);font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;display:inline-block;max-width:250px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap;vertical-align:middle}
.pick:hover,.pick:focus-visible{text-decoration:underline}
.filters{display:flex;flex-wrap:wrap;gap:10px;align-items:end;margin:0 0 12px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:var(--muted);gap:2px}
.filters .grow{flex:1;min-width:200px}
select,input{font:inherit;padding:5px 8px;border:1px solid #cbd5e1;border-radius:6px;background:#fff;color:var(--fg)}
#shown{font-size:12px;color:var(--muted);padding-bottom:7px}
.finding{border:1px solid var(--line);border-left:5px solid var(--sev,#94a3b8);border-radius:8px;margin:0 0 8px;background:#fff}
.finding summary{display:flex;gap:10px;align-items:baseline;padding:8px 12px;cursor:pointer;list-style:none}
.finding summary::-webkit-details-marker{display:none}
.finding summary::before{content:"\\25B8";color:var(--muted)}
.finding details[open] summary::before{content:"\\25BE"}
.chip{font-size:11px;font-weight:700;color:#fff;background:var(--sev,#94a3b8);border-radius:4px;padding:1px 6px}
.outcome{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;white-space:nowrap}
.outcome .sw{margin-right:4px}
.title{flex:1}
.when{color:var(--muted);font-size:12px;white-space:nowrap}
.archived .title{color:var(--muted);text-decoration:line-through}
.body{padding:0 14px 12px 34px}
.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:0;font-size:13px}
.facts dt{color:var(--muted)}.facts dd{margin:0;font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px;word-break:break-all}
.path{margin:0;padding-left:20px}.path li{margin:2px 0}
.fix{margin:0;padding:8px 10px;background:#f0fdf4;border:1px solid #bbf7d0;border-radius:6px}
.fid{color:var(--muted);font-size:11px;font-family:ui-monospace,"DejaVu Sans Mono",monospace;word-break:break-all;margin:10px 0 0}
.ctl{background:#fef08a;color:#713f12;border-radius:3px;padding:0 2px;font-family:ui-monospace,monospace;font-size:11px}
.errors li{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:12px}
footer{color:var(--muted);font-size:12px;padding-bottom:24px}
`;

/** Filters rows by their data-* attributes and their text; counts what is shown. */
export const REPORT_JS = `
(() => {
  'use strict';
  const form = document.getElementById('filters');
  const shown = document.getElementById('shown');
  const none = document.getElementById('no-match');
  const rows = Array.from(document.querySelectorAll('#findings > .finding'));
  const texts = new Map(rows.map((row) => [row, row.textContent.toLowerCase()]));
  const value = (name) => form.elements.namedItem(name).value;
  const apply = () => {
    const wanted = { state: value('state'), outcome: value('outcome'), severity: value('severity'), check: value('check') };
    const words = value('q').toLowerCase().split(/\\s+/).filter(Boolean);
    let count = 0;
    for (const row of rows) {
      const data = row.dataset;
      const visible =
        Object.keys(wanted).every((key) => wanted[key] === '' || data[key] === wanted[key]) &&
        words.every((word) => texts.get(row).includes(word));
      row.hidden = !visible;
      if (visible) count += 1;
    }
    shown.textContent = 'Showing ' + count + ' of ' + rows.length;
    none.hidden = count !== 0;
  };
  form.addEventListener('input', apply);
  form.addEventListener('submit', (event) => event.preventDefault());
  for (const button of document.querySelectorAll('button.pick')) {
    button.addEventListener('click', () => {
      form.elements.namedItem('q').value = button.dataset.q;
      form.elements.namedItem('state').value = 'active';
      apply();
      document.getElementById('findings-section').scrollIntoView();
    });
  }
  apply();
})();
`;
