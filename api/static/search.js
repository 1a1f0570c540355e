/*
 * Staff search page: keyword search (POST /api/v1/search, top 50) or, with no keyword, every task that
 * matches the filters (GET /api/v1/tasks, paged through to the end so nothing is truncated).
 * Results render as a table via textContent only; "导出 CSV" exports exactly the rows shown.
 */
(() => {
  'use strict';
  const API = '/api/v1';
  const TOP_K = 50;
  const PAGE_SIZES = [100, 50, 20]; // the server may cap page_size: fall back to smaller pages on 422
  const FILTERS = ['section', 'lead_unit', 'responsible_unit', 'deadline_before', 'benchmark_city'];
  const $ = (id) => document.getElementById(id);
  const form = $('search-form');
  const tbody = document.querySelector('#results tbody');
  const count = $('count');
  const errorBox = $('error');
  const exportBtn = $('export');
  const submitBtn = $('submit');
  let shown = []; // the rows currently in the table, for CSV export

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, init) {
    const res = await fetch(API + path, { ...init, signal: AbortSignal.timeout(15000) });
    if (!res.ok) {
      let msg = `HTTP ${res.status}`;
      try { msg = (await res.json()).error.message || msg; } catch (_) { /* not JSON */ }
      if (res.status === 429) msg += `（请 ${res.headers.get('Retry-After') || '稍后'} 秒后重试）`;
      throw new HttpError(res.status, msg);
    }
    return res.json();
  }

  async function loadOptions() {
    const [sec, units] = await Promise.all([api('/sections'), api('/units')]);
    for (const s of sec.sections) {
      $('section').append(new Option(`${s.section_no}. ${s.section}（${s.count}）`, s.section));
    }
    for (const u of units.units) {
      if (u.lead_count > 0) $('lead_unit').append(new Option(`${u.unit}（牵头 ${u.lead_count}）`, u.unit));
      if (u.responsible_count > 0) {
        $('responsible_unit').append(new Option(`${u.unit}（参与 ${u.responsible_count}）`, u.unit));
      }
    }
  }

  function currentFilters() {
    const f = {};
    for (const name of FILTERS) {
      const v = form.elements[name].value.trim();
      if (v) f[name] = v;
    }
    return f;
  }

  /** Every task matching the filters, all pages. */
  async function listAll(filters) {
    for (const size of PAGE_SIZES) {
      try {
        const items = [];
        for (let page = 1; ; page++) {
          const qs = new URLSearchParams({ ...filters, page: String(page), page_size: String(size) });
          const data = await api(`/tasks?${qs}`);
          items.push(...data.items);
          if (!data.items.length || items.length >= data.total) return items;
        }
      } catch (err) {
        if (!(err instanceof HttpError && err.status === 422) || size === PAGE_SIZES.at(-1)) throw err;
      }
    }
    return [];
  }

  function render(rows, note) {
    shown = rows;
    const trs = rows.map((r) => {
      const tr = document.createElement('tr');
      for (const v of [r.task_id, r.section, (r.lead_units || []).join('、'), r.deadline, r.text]) {
        const td = document.createElement('td');
        td.textContent = v === null || v === undefined ? '' : String(v);
        tr.append(td);
      }
      return tr;
    });
    tbody.replaceChildren(...trs);
    count.textContent = rows.length ? `共 ${rows.length} 条${note}` : '没有符合条件的任务。';
    exportBtn.disabled = rows.length === 0;
  }

  async function run() {
    const query = form.elements.q.value.trim();
    const filters = currentFilters();
    // Keep the search in the address bar so it can be bookmarked or shared.
    const params = new URLSearchParams(query ? { q: query, ...filters } : filters);
    history.replaceState(null, '', params.toString() ? `?${params}` : location.pathname);
    errorBox.hidden = true;
    submitBtn.disabled = true;
    submitBtn.textContent = '检索中…';
    $('results').setAttribute('aria-busy', 'true');
    try {
      if (query) {
        const body = { query, top_k: TOP_K, filters: Object.keys(filters).length ? filters : null };
        const data = await api('/search', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        render(data.hits, data.hits.length >= TOP_K ? `（按相关度显示前 ${TOP_K} 条）` : '（按相关度排序）');
      } else {
        render(await listAll(filters), Object.keys(filters).length ? '（全部符合条件的任务）' : '（全部任务）');
      }
    } catch (err) {
      errorBox.textContent = `检索失败：${err.name === 'TimeoutError' ? '服务 15 秒内没有响应' : err.message}`;
      errorBox.hidden = false;
    } finally {
      submitBtn.disabled = false;
      submitBtn.textContent = '检索';
      $('results').setAttribute('aria-busy', 'false');
    }
  }

  /** One CSV cell: quoted, quotes doubled, and formula-looking text defused for Excel. */
  function cell(v) {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return `"${s.replace(/"/g, '""')}"`;
  }

  function exportCsv() {
    // Rows from /tasks carry 责任单位 and 对标 too; keyword hits do not, so those columns appear only then.
    const full = shown.length > 0 && shown.every((r) => Array.isArray(r.responsible_units));
    const head = ['任务编号', '所属领域', '牵头单位', ...(full ? ['责任单位'] : []), '完成时限',
      ...(full ? ['对标'] : []), '任务内容'];
    const lines = [head.map(cell).join(',')];
    for (const r of shown) {
      const row = [r.task_id, r.section, (r.lead_units || []).join('、'),
        ...(full ? [r.responsible_units.join('、')] : []), r.deadline, ...(full ? [r.benchmark] : []), r.text];
      lines.push(row.map(cell).join(','));
    }
    // The BOM makes Excel read the file as UTF-8; CRLF line ends as RFC 4180 says.
    const blob = new Blob(['\ufeff' + lines.join('\r\n') + '\r\n'], { type: 'text/csv;charset=utf-8' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `营商环境任务_${new Date().toISOString().slice(0, 10).replace(/-/g, '')}.csv`;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
  }

  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  form.addEventListener('reset', () => setTimeout(() => {
    render([], '');
    count.textContent = '已清空条件。';
    history.replaceState(null, '', location.pathname);
  }));
  exportBtn.addEventListener('click', exportCsv);

  loadOptions().then(() => {
    // Restore a bookmarked search (?q=…&section=…) and run it.
    const params = new URLSearchParams(location.search);
    let any = false;
    for (const name of ['q', ...FILTERS]) {
      if (params.has(name)) { form.elements[name].value = params.get(name); any = true; }
    }
    form.dataset.ready = 'true';
    if (any) run();
  }, (err) => {
    errorBox.textContent = `无法加载筛选项：${err.message}`;
    errorBox.hidden = false;
  });
})();
