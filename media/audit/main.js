// The host audit webview. Every string that came from Docker is put into the page with
// textContent / attributes only, never as HTML, so a label like <img src=x onerror=…> stays text.
// @ts-check
(function () {
  const vscode = acquireVsCodeApi();
  const root = /** @type {HTMLElement} */ (document.getElementById('root'));
  // The engine's vocabulary (SECTION_TITLES, AUDIT_STATUSES), written into the page by panel.ts.
  /** @type {Record<string, string>} */
  const SECTION_TITLES = JSON.parse(root.dataset.sections || '{}');
  /** @type {string[]} */
  const STATUSES = JSON.parse(root.dataset.statuses || '[]');
  /** @type {{ report?: any, state?: string, error?: string, filter: string, search: string, open: Record<string, boolean> }} */
  const view = Object.assign({ filter: 'all', search: '', open: {} }, vscode.getState() || {});

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === false) continue;
      if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== undefined && c !== null) node.append(typeof c === 'string' ? document.createTextNode(c) : c);
    return node;
  }

  /** Text with Markdown code spans (`like this`) shown as <code>; everything stays text, never HTML. */
  function rich(text) {
    const parts = String(text).split(/`([^`\n]+)`/);
    return el('span', {}, ...parts.map((part, i) => (i % 2 ? el('code', {}, part) : part)));
  }

  function save() {
    vscode.setState({ report: view.report, state: view.state, filter: view.filter, search: view.search, open: view.open });
  }

  function matches(check) {
    if (view.filter !== 'all' && check.status !== view.filter) return false;
    if (!view.search) return true;
    const hay = [check.id, check.title, check.status, ...check.evidence, check.remediation, ...(check.containers || []).map((c) => c.name)].join('\n').toLowerCase();
    return hay.includes(view.search.toLowerCase());
  }

  function toolbar() {
    const search = el('vscode-textfield', { id: 'search', placeholder: 'Search checks, evidence, containers', value: view.search });
    search.addEventListener('input', () => {
      view.search = /** @type {any} */ (search).value || '';
      save();
      renderChecks();
    });
    const select = el('vscode-single-select', { id: 'status-filter', 'aria-label': 'Status filter' },
      ...['all', ...STATUSES].map((s) => el('vscode-option', { value: s, selected: view.filter === s }, s === 'all' ? 'All statuses' : s.toUpperCase())));
    select.addEventListener('change', () => {
      view.filter = /** @type {any} */ (select).value || 'all';
      save();
      renderChecks();
    });
    return el('div', { className: 'toolbar' }, search, select,
      el('vscode-button', { id: 'rerun', onclick: () => vscode.postMessage({ type: 'rerun' }), disabled: view.state === 'running' }, 'Re-run'),
      el('vscode-button', { id: 'export', secondary: true, onclick: () => vscode.postMessage({ type: 'export' }), disabled: !view.report }, 'Export…'));
  }

  function header() {
    const r = view.report;
    if (!r) return el('div', { className: 'header' }, el('h1', {}, 'Docker host audit'));
    const s = r.summary;
    return el('div', { className: 'header' },
      el('div', { className: 'score', title: 'Scored checks that pass, of those judged pass or warn' }, `${s.score}%`),
      el('div', {},
        el('h1', {}, 'CIS Docker Benchmark v1.6.0'),
        el('div', { className: 'engine' }, `${s.engine} · ${s.flavor} · ${s.local ? 'local' : 'remote'} · ${s.total} checks · ${s.apiCalls} Engine API calls${s.durationMs !== undefined ? ` · ${s.durationMs} ms` : ''}`),
        el('div', { className: 'counts' }, ...STATUSES.map((st) => el('span', { className: `count ${st}`, 'data-status': st }, `${s.counts[st]} ${st}`))),
        ...s.notes.map((n) => el('div', { className: 'note-line' }, rich(n)))));
  }

  function containerChip(c) {
    const labels = Object.entries(c.labels || {}).filter(([k]) => !k.startsWith('com.docker.compose.'));
    return el('span', { className: 'container' },
      el('a', { href: '#', title: `Show ${c.name} in the Containers view`, onclick: (e) => { e.preventDefault(); vscode.postMessage({ type: 'openContainer', id: c.id, name: c.name }); } }, c.name),
      c.compose ? el('a', { href: '#', className: 'compose', title: c.compose.file, onclick: (e) => { e.preventDefault(); vscode.postMessage({ type: 'openCompose', file: c.compose.file, service: c.compose.service }); } }, `open compose service ${c.compose.service}`) : undefined,
      ...labels.slice(0, 5).map(([k, v]) => el('span', { className: 'label' }, `${k}=${v}`)));
  }

  function checkRow(c) {
    return el('div', { className: `check ${c.status}`, 'data-id': c.id },
      el('div', { className: 'check-head' },
        el('span', { className: `status ${c.status}` }, c.status.toUpperCase()),
        el('span', { className: 'id' }, c.id),
        el('span', { className: 'title' }, rich(c.title)),
        el('span', { className: 'meta' }, `L${c.level}${c.scored ? '' : ' · manual'}`)),
      el('ul', { className: 'evidence' }, ...c.evidence.map((e) => el('li', {}, rich(e)))),
      c.containers && c.containers.length ? el('div', { className: 'containers' }, ...c.containers.map(containerChip)) : undefined,
      el('div', { className: 'remediation' }, el('strong', {}, 'Remediation: '), rich(c.remediation), el('span', { className: 'impact' }, ' Impact: ', rich(c.impact))));
  }

  function renderChecks() {
    const host = document.getElementById('checks');
    if (!host || !view.report) return;
    host.replaceChildren();
    const sections = [...new Set(view.report.checks.map((c) => c.section))];
    let shown = 0;
    for (const s of sections) {
      const all = view.report.checks.filter((c) => c.section === s);
      const visible = all.filter(matches);
      if (!visible.length) continue;
      shown += visible.length;
      const warns = all.filter((c) => c.status === 'warn').length;
      const open = view.open[s] !== undefined ? view.open[s] : warns > 0 || !!view.search || view.filter !== 'all';
      const section = el('vscode-collapsible', { heading: `${s}. ${SECTION_TITLES[s] || ''}`, description: `${warns} warn · ${all.length} checks`, open, 'data-section': s }, ...visible.map(checkRow));
      section.addEventListener('vsc-collapsible-toggle', (e) => {
        view.open[s] = !!(/** @type {any} */ (e).detail?.open);
        save();
      });
      host.append(section);
    }
    if (!shown) host.append(el('p', { className: 'empty' }, 'No check matches the filter.'));
    // Let the extension (and its tests) know what was rendered.
    vscode.postMessage({ type: 'rendered', shown, text: (host.textContent || '').slice(0, 200000), images: document.querySelectorAll('img').length, scripts: document.querySelectorAll('script').length, elements: !!customElements.get('vscode-collapsible') });
  }

  function render() {
    const body = view.state === 'running' && !view.report
      ? el('p', { className: 'progress' }, 'Auditing the Docker host…')
      : view.state === 'error'
        ? el('p', { className: 'error' }, `The audit failed: ${view.error || 'unknown error'}`)
        : view.state === 'cancelled' && !view.report
          ? el('p', {}, 'The audit was cancelled. Use Re-run to start it again.')
          : undefined;
    root.replaceChildren(header(), toolbar(), view.state === 'running' ? el('vscode-progress-bar', { indeterminate: true }) : '', body || '', el('div', { id: 'checks' }));
    renderChecks();
  }

  window.addEventListener('message', (event) => {
    const m = event.data;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'setView') {
      // Filter and search set from outside (a command, or tests driving the panel).
      if (typeof m.filter === 'string') view.filter = m.filter;
      if (typeof m.search === 'string') view.search = m.search;
      save();
      render();
      return;
    }
    if (m.type === 'state') {
      view.state = m.state;
      view.error = m.error;
      if (m.report) view.report = m.report;
      save();
      render();
    }
  });
  render();
  // vscode-elements loads as a module, possibly after this script: report again once it is there.
  customElements.whenDefined('vscode-collapsible').then(() => renderChecks());
  vscode.postMessage({ type: 'ready', hasReport: !!view.report });
})();
