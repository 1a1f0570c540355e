/*
 * Staff search page. With a keyword: POST /api/v1/search (top 50, best first); the hits above the relevance
 * cut-off (api/relevance.py) show, the rest wait behind 「更多相关度较低的结果」, and the query's words are
 * highlighted. Without one: GET /api/v1/tasks, every task the filters match (paged through to the end).
 * Units and cities are multi-selects (a task matching any of the chosen names); every column sorts; the
 * search lives in the address bar; 「导出 CSV」 exports the rows shown, with the same columns in both modes.
 * When the index holds several plans (GET /api/v1/plans) a plan filter (doc_id) and a plan column appear,
 * the export names each row's plan (short title and doc_id) and task links name the plan
 * (/tasks/{doc_id}/{id}); with one plan the page is as it always was. Each deadline shows its kind (定时, 年内,
 * 定期·每季度, 长期, 未写明: deadline_kind / deadline_every), which a filter selects and the export names;
 * a plan whose publication is known (source_url) links to it from the page's subtitle.
 * Everything renders through textContent and text nodes only.
 */
(() => {
  'use strict';
  const API = '/api/v1';
  const TOP_K = 50;
  const PAGE_SIZE = 200;
  const TIMEOUT_MS = 15000;
  const SINGLE = ['q', 'doc_id', 'section', 'deadline_before', 'deadline_kind'];
  const MULTI = ['lead_unit', 'responsible_unit', 'benchmark_city'];
  const $ = (id) => document.getElementById(id);
  const form = $('search-form');
  const table = $('results');
  const relevantBody = $('relevant');
  const lowerBody = $('lower');
  const count = $('count');
  const errorBox = $('error');
  const exportBtn = $('export');
  const submitBtn = $('submit');
  const moreBtn = $('more');
  const retryBtn = $('retry');
  const multis = Object.fromEntries(MULTI.map((name) => [name, $(name)]));

  let rows = { relevant: [], lower: [] }; // the current result, in the server's order
  let terms = [];
  let sort = { key: null, dir: 1 };
  let sectionOrder = new Map();
  let plans = []; // GET /api/v1/plans, in the index's order
  let several = false; // more than one plan: the plan filter and column show
  let retry = null; // what 重试 runs again

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(path, init) {
    const signal = AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined;
    const res = await fetch(API + path, { ...init, signal });
    if (!res.ok) {
      let msg = `HTTP ${res.status}`;
      try { msg = (await res.json()).error.message || msg; } catch (_) { /* not JSON */ }
      if (res.status === 429) msg += `（请 ${res.headers.get('Retry-After') || '稍后'} 秒后重试）`;
      throw new HttpError(res.status, msg);
    }
    return res.json();
  }

  // -- multi-selects ---------------------------------------------------------------------------------

  function addOptions(details, options) {
    const list = details.querySelector('.options');
    list.replaceChildren(...options.map(([value, label]) => {
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = details.dataset.name;
      box.value = value;
      box.addEventListener('change', () => summarize(details));
      const text = document.createElement('label');
      text.append(box, ' ', label);
      const li = document.createElement('li');
      li.dataset.search = `${value} ${label}`.toLowerCase();
      li.append(text);
      return li;
    }));
  }

  function chosen(details) {
    return [...details.querySelectorAll('input[type=checkbox]:checked')].map((b) => b.value);
  }

  function choose(details, values) {
    const want = new Set(values);
    details.querySelectorAll('input[type=checkbox]').forEach((b) => { b.checked = want.has(b.value); });
    // A name from the address bar that is not in the list still filters (the server resolves aliases).
    const boxes = [...details.querySelectorAll('input[type=checkbox]')];
    details.dataset.extra = JSON.stringify(values.filter((v) => !boxes.some((b) => b.value === v)));
    summarize(details);
  }

  function values(details) {
    return [...chosen(details), ...JSON.parse(details.dataset.extra || '[]')];
  }

  function summarize(details) {
    const v = values(details);
    let text = details.dataset.all;
    if (v.length === 1) text = v[0];
    else if (v.length > 1) text = `已选 ${v.length} 个${details.dataset.noun}：${v.join('、')}`;
    details.querySelector('.value').textContent = text;
    details.classList.toggle('has-value', v.length > 0);
  }

  for (const details of Object.values(multis)) {
    const filter = details.querySelector('.multi-filter');
    filter.addEventListener('input', () => {
      const needle = filter.value.trim().toLowerCase();
      details.querySelectorAll('.options li').forEach((li) => { li.hidden = Boolean(needle) && !li.dataset.search.includes(needle); });
    });
    details.querySelector('.multi-clear').addEventListener('click', () => choose(details, []));
    details.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && details.open) {
        details.open = false;
        details.querySelector('summary').focus();
      }
    });
  }
  // One open list at a time; a click elsewhere closes it.
  document.addEventListener('click', (e) => {
    for (const d of Object.values(multis)) if (d.open && !d.contains(e.target)) d.open = false;
  });

  async function loadOptions() {
    const [sec, units, cities, listed] = await Promise.all([api('/sections'), api('/units'), api('/cities'),
      api('/plans').catch(() => ({ plans: [] }))]); // a server from before plans: one plan
    showPlans(listed.plans || []);
    if (several) {
      // Sections of several plans: one option per name (the plans' own numbers would repeat).
      const counts = new Map();
      for (const s of sec.sections) counts.set(s.section, (counts.get(s.section) || 0) + s.count);
      [...counts].forEach(([name, n], i) => {
        $('section').append(new Option(`${name}（${n}）`, name));
        sectionOrder.set(name, i + 1);
      });
    } else {
      for (const s of sec.sections) {
        $('section').append(new Option(`${s.section_no}. ${s.section}（${s.count}）`, s.section));
        sectionOrder.set(s.section, s.section_no);
      }
    }
    addOptions(multis.lead_unit, units.units.filter((u) => u.lead_count > 0).map((u) => [u.unit, `${u.unit}（牵头 ${u.lead_count}）`]));
    addOptions(multis.responsible_unit, units.units.filter((u) => u.responsible_count > 0).map((u) => [u.unit, `${u.unit}（参与 ${u.responsible_count}）`]));
    addOptions(multis.benchmark_city, cities.cities.map((c) => [c.city, `${c.city}（${c.count}）`]));
  }

  /** The plans the index holds: the page's subtitle, and with several the plan filter and column. */
  function showPlans(list) {
    plans = list;
    several = list.length > 1;
    const select = $('doc_id');
    for (const p of list) select.append(new Option(`${p.short_title || p.title}（${p.task_count}）`, p.doc_id));
    $('plan-field').hidden = !several;
    if (several) {
      // The plan's column, after the task number (with one plan there is none, not an empty one).
      const th = document.createElement('th');
      th.scope = 'col';
      th.className = 'c-plan';
      const sortBtn = document.createElement('button');
      Object.assign(sortBtn, { type: 'button', className: 'sort', textContent: '方案' });
      sortBtn.dataset.key = 'plan';
      sortBtn.addEventListener('click', () => sortBy(sortBtn));
      th.append(sortBtn);
      document.querySelector('th.c-id').after(th);
      const said = [`已收录 ${list.length} 个方案：`];
      list.forEach((p, i) => said.push(...(i ? ['、'] : []), ...published(p, `《${p.short_title || p.title}》`)));
      $('plans-said').replaceChildren(...said);
    } else if (list.length === 1) {
      const p = list[0];
      $('plans-said').replaceChildren(`《${p.title}》` + (p.doc_number ? `（${p.doc_number}）` : ''),
        ...(p.source_url ? [' ', ...published(p, '原文')] : []));
    }
  }

  /** A plan's name as a link to where it is published (its source_url), or as text when that is unknown. */
  function published(p, label) {
    if (!p.source_url) return [label];
    const a = document.createElement('a');
    a.href = p.source_url;
    a.rel = 'external';
    a.textContent = label;
    return [a];
  }

  function planOf(docId) {
    return plans.find((p) => p.doc_id === docId) || null;
  }

  /** A task's page: /tasks/{id} with one plan, /tasks/{doc_id}/{id} with several (api/taskpage.py). */
  function taskHref(r) {
    return several && r.doc_id ? `/tasks/${encodeURIComponent(r.doc_id)}/${r.task_id}` : `/tasks/${r.task_id}`;
  }

  // -- the search ------------------------------------------------------------------------------------

  function currentFilters() {
    const f = {};
    for (const name of ['doc_id', 'section', 'deadline_before', 'deadline_kind']) {
      const v = form.elements[name].value.trim();
      if (v) f[name] = v;
    }
    for (const name of MULTI) {
      const v = values(multis[name]);
      if (v.length) f[name] = v;
    }
    return f;
  }

  function toParams(query, filters) {
    const params = new URLSearchParams();
    if (query) params.set('q', query);
    for (const [k, v] of Object.entries(filters)) {
      for (const x of Array.isArray(v) ? v : [v]) params.append(k, x);
    }
    return params;
  }

  /** Every task matching the filters, all pages. */
  async function listAll(filters) {
    const items = [];
    for (let page = 1; ; page++) {
      const qs = toParams('', filters);
      qs.set('page', String(page));
      qs.set('page_size', String(PAGE_SIZE));
      const data = await api(`/tasks?${qs}`);
      items.push(...data.items);
      if (!data.items.length || items.length >= data.total) return items;
    }
  }

  function setBusy(on) {
    submitBtn.disabled = on;
    submitBtn.textContent = on ? '检索中…' : '检索';
    table.setAttribute('aria-busy', String(on));
  }

  function showError(err, again) {
    let msg = err.message;
    if (err.name === 'TimeoutError') msg = '服务 15 秒内没有响应';
    else if (err instanceof TypeError) msg = '无法连接检索服务，请检查网络';
    $('error-text').textContent = `检索失败：${msg}`;
    // A request the server refused as invalid would fail again: no retry, and the field says what is wrong.
    const invalid = err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 429;
    retry = invalid ? null : again;
    retryBtn.hidden = invalid;
    for (const name of ['deadline_before', 'deadline_kind', 'section', 'doc_id']) {
      const field = form.elements[name];
      if (invalid && msg.includes(name)) {
        field.setAttribute('aria-invalid', 'true');
        field.setAttribute('aria-errormessage', 'error');
      } else {
        field.removeAttribute('aria-invalid');
        field.removeAttribute('aria-errormessage');
      }
    }
    errorBox.hidden = false;
  }

  function clearError() {
    errorBox.hidden = true;
    retry = null;
    for (const name of ['deadline_before', 'deadline_kind', 'section', 'doc_id']) {
      form.elements[name].removeAttribute('aria-invalid');
      form.elements[name].removeAttribute('aria-errormessage');
    }
  }

  async function run() {
    const query = form.elements.q.value.trim();
    const filters = currentFilters();
    // Keep the search in the address bar so it can be bookmarked or shared.
    const params = toParams(query, filters);
    history.replaceState(null, '', params.toString() ? `?${params}` : location.pathname);
    clearError();
    if (filters.doc_id && plans.length && !planOf(filters.doc_id)) {
      // An address naming a plan the index does not hold (removed, or mistyped): say so, search nothing.
      showError(new HttpError(404, `没有这个方案（doc_id ${filters.doc_id}） / No plan has this doc_id`), null);
      show([], [], false);
      return;
    }
    setBusy(true);
    try {
      if (query) {
        const body = { query, top_k: TOP_K, filters: Object.keys(filters).length ? filters : null };
        const data = await api('/search', {
          method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
        });
        terms = data.terms || [];
        show(data.hits.filter((h) => h.relevant !== false), data.hits.filter((h) => h.relevant === false), true);
      } else {
        terms = [];
        show(await listAll(filters), [], false);
      }
    } catch (err) {
      showError(err, run);
    } finally {
      setBusy(false);
    }
  }

  // -- rendering -------------------------------------------------------------------------------------

  /** `text` as nodes with every occurrence of a search term in <mark> (overlaps merged). */
  function highlighted(text) {
    if (!terms.length || !text) return [text];
    const lower = text.toLowerCase();
    const spans = [];
    for (const t of terms) {
      const needle = t.toLowerCase();
      if (!needle) continue;
      for (let i = lower.indexOf(needle); i >= 0; i = lower.indexOf(needle, i + 1)) spans.push([i, i + needle.length]);
    }
    if (!spans.length) return [text];
    spans.sort((a, b) => a[0] - b[0]);
    const merged = [spans[0]];
    for (const [s, e] of spans.slice(1)) {
      const last = merged[merged.length - 1];
      if (s <= last[1]) last[1] = Math.max(last[1], e);
      else merged.push([s, e]);
    }
    const out = [];
    let at = 0;
    for (const [s, e] of merged) {
      if (s > at) out.push(text.slice(at, s));
      const mark = document.createElement('mark');
      mark.textContent = text.slice(s, e);
      out.push(mark);
      at = e;
    }
    if (at < text.length) out.push(text.slice(at));
    return out;
  }

  // The kind of a deadline (deadline_kind, deadline_every: corpus/deadlines.py), shown beside it.
  const KINDS = { dated: '定时', within_year: '年内', recurring: '定期', ongoing: '长期', none: '未写明' };
  const EVERY = { week: '每周', month: '每月', quarter: '每季度', half: '每半年', year: '每年' };
  function kindLabel(r) {
    const label = KINDS[r.deadline_kind] || '';
    return label && r.deadline_every && EVERY[r.deadline_every] ? `${label}·${EVERY[r.deadline_every]}` : label;
  }

  const shortTitle = (r) => r.short_title || (planOf(r.doc_id) || {}).short_title || r.doc_id || '';
  // [label on the page, value, label in the CSV]; the plan's columns only when the index holds several.
  const ALL_COLUMNS = [
    ['任务编号', (r) => r.task_id, '任务编号'],
    ['方案', shortTitle, '方案简称', 'plan'],
    [null, (r) => r.doc_id || '', '方案标识', 'plan'],
    ['领域', (r) => r.section, '所属领域'],
    ['牵头单位', (r) => (r.lead_units || []).join('、'), '牵头单位'],
    ['责任单位', (r) => (r.responsible_units || []).join('、'), '责任单位'],
    ['完成时限', (r) => r.deadline, '完成时限', null, kindLabel],
    [null, kindLabel, '时限类型'],
    ['对标', (r) => r.benchmark || '', '对标'],
    ['内容', (r) => r.text, '任务内容'],
  ];
  const columns = () => ALL_COLUMNS.filter((c) => several || c[3] !== 'plan');

  function rowOf(r) {
    const tr = document.createElement('tr');
    columns().filter(([label]) => label).forEach(([label, get, , , tag], i) => {
      const td = document.createElement(i === 0 ? 'th' : 'td');
      if (i === 0) td.scope = 'row';
      td.dataset.label = label;
      const value = get(r);
      if (i === 0) {
        const a = document.createElement('a');
        a.href = taskHref(r);
        a.textContent = `第${r.task_id}条`;
        td.append(a);
      } else {
        td.append(...highlighted(value === null || value === undefined ? '' : String(value)));
        const kind = tag && tag(r);
        if (kind) {
          const span = document.createElement('span');
          span.className = 'kind';
          span.textContent = kind;
          td.append(' ', span);
        }
      }
      tr.append(td);
    });
    return tr;
  }

  function deadlineKey(d) {
    const m = /(\d{4})\D+(\d{1,2})/.exec(d || '');
    return m ? Number(m[1]) * 100 + Number(m[2]) : 999999; // undated (持续推进) last
  }

  const planOrder = (r) => {
    const i = plans.findIndex((p) => p.doc_id === r.doc_id);
    return i < 0 ? plans.length : i;
  };

  const KEYS = {
    task_id: (r) => r.task_id,
    plan: planOrder,
    section: (r) => sectionOrder.get(r.section) ?? 999,
    lead: (r) => (r.lead_units || [])[0] || '',
    responsible: (r) => (r.responsible_units || [])[0] || '',
    deadline: (r) => deadlineKey(r.deadline),
    benchmark: (r) => r.benchmark || '',
  };

  function sorted(list) {
    if (!sort.key) return list;
    const key = KEYS[sort.key];
    const collator = new Intl.Collator('zh-CN');
    return [...list].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : collator.compare(String(x), String(y));
      return c * sort.dir || planOrder(a) - planOrder(b) || a.task_id - b.task_id;
    });
  }

  function paint() {
    relevantBody.replaceChildren(...sorted(rows.relevant).map(rowOf));
    lowerBody.replaceChildren(...sorted(rows.lower).map(rowOf));
    exportBtn.disabled = shownRows().length === 0;
    document.querySelectorAll('th .sort').forEach((b) => {
      const th = b.parentElement;
      if (b.dataset.key === sort.key) th.setAttribute('aria-sort', sort.dir > 0 ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    });
  }

  function show(relevant, lower, searched) {
    rows = { relevant, lower };
    sort = { key: null, dir: 1 };
    lowerBody.hidden = true;
    moreBtn.setAttribute('aria-expanded', 'false');
    moreBtn.hidden = lower.length === 0;
    moreBtn.textContent = `更多相关度较低的结果（${lower.length} 条）`;
    if (!searched) {
      const f = Object.keys(currentFilters()).length;
      count.textContent = relevant.length ? `共 ${relevant.length} 条${f ? '（全部符合条件的任务）' : '（全部任务）'}` : '没有符合条件的任务。';
    } else if (relevant.length) {
      count.textContent = `找到 ${relevant.length} 条相关任务（按相关度排序）` + (lower.length ? `；另有 ${lower.length} 条相关度较低` : '');
    } else {
      count.textContent = lower.length ? '没有找到相关度足够的任务，可换个关键词。' : '没有符合条件的任务。';
    }
    paint();
  }

  function shownRows() {
    return [...sorted(rows.relevant), ...(lowerBody.hidden ? [] : sorted(rows.lower))];
  }

  moreBtn.addEventListener('click', () => {
    const open = lowerBody.hidden;
    lowerBody.hidden = !open;
    moreBtn.setAttribute('aria-expanded', String(open));
    moreBtn.textContent = open ? '收起相关度较低的结果' : `更多相关度较低的结果（${rows.lower.length} 条）`;
    exportBtn.disabled = shownRows().length === 0;
  });

  function sortBy(b) {
    // Ascending, descending, then back to the server's order (relevance, or the plan's).
    if (sort.key !== b.dataset.key) sort = { key: b.dataset.key, dir: 1 };
    else if (sort.dir > 0) sort.dir = -1;
    else sort = { key: null, dir: 1 };
    paint();
  }
  document.querySelectorAll('th .sort').forEach((b) => b.addEventListener('click', () => sortBy(b)));

  // -- CSV -------------------------------------------------------------------------------------------

  /** One CSV cell: quoted, quotes doubled, and formula-looking text defused for Excel. */
  function cell(v) {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return `"${s.replace(/"/g, '""')}"`;
  }

  function exportCsv() {
    // The same columns whether the rows came from a keyword search or a filter listing (with several plans,
    // each row's plan: short title and doc_id).
    const cols = columns();
    const lines = [cols.map(([, , head]) => cell(head)).join(',')];
    for (const r of shownRows()) lines.push(cols.map(([, get]) => cell(get(r))).join(','));
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

  // -- wiring ----------------------------------------------------------------------------------------

  form.addEventListener('submit', (e) => { e.preventDefault(); run(); });
  form.addEventListener('reset', () => setTimeout(() => {
    Object.values(multis).forEach((d) => choose(d, []));
    terms = [];
    show([], [], false);
    count.textContent = '已清空条件。';
    clearError();
    history.replaceState(null, '', location.pathname);
  }));
  exportBtn.addEventListener('click', exportCsv);
  $('print').addEventListener('click', () => window.print());
  retryBtn.addEventListener('click', () => { if (retry) retry(); });

  function start() {
    clearError();
    loadOptions().then(() => {
      // Restore a bookmarked search (?q=…&lead_unit=A&lead_unit=B …) and run it.
      const params = new URLSearchParams(location.search);
      let any = false;
      for (const name of SINGLE) {
        if (!params.has(name)) continue;
        const field = form.elements[name];
        const v = params.get(name);
        // A plan the index lacks stays chosen, so the search says so instead of searching every plan.
        if (name === 'doc_id' && v && ![...field.options].some((o) => o.value === v)) {
          field.append(new Option(`${v}（未收录的方案）`, v));
          $('plan-field').hidden = false;
        }
        field.value = v;
        any = true;
      }
      for (const name of MULTI) {
        const v = params.getAll(name).filter(Boolean);
        if (v.length) { choose(multis[name], v); any = true; }
      }
      form.dataset.ready = 'true';
      if (any) run();
    }, (err) => {
      showError(new Error(`无法加载筛选项：${err.message}`), start);
    });
  }
  start();
})();
