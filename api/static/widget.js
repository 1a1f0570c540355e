/*
 * taskqa chat widget — one tag embeds it on any page:
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST" defer></script>
 * (an empty or missing data-endpoint means the script's own origin).
 *
 * Plain JavaScript, no build step. The UI lives in the Shadow DOM of a <taskqa-widget> element,
 * so the host page's CSS and ours never meet. It needs no inline script or style from the host:
 * the launcher is styled by a constructable stylesheet, the panel by ENDPOINT/widget.css linked
 * inside the shadow root on first open. Nothing is fetched until the user opens the panel.
 * Every piece of server text goes in through textContent / text nodes — never innerHTML.
 */
(() => {
  'use strict';
  const TAG = 'taskqa-widget';
  if (window.customElements === undefined || customElements.get(TAG)) return;

  const VERSION = '1';
  const TIMEOUT_MS = 15000; // abort when the server sends nothing for this long
  const CARDS_SHOWN = 5; // further citation cards stay behind a "show all" button
  const EXAMPLES = [
    '谁牵头负责电力接入的任务？',
    '法院牵头哪些任务？',
    '2022年底前要完成哪些政务服务任务？',
    '对标深圳的任务有哪些？',
  ];
  // Launcher styles, adopted at once so the button needs no fetch. widget.css repeats them
  // for browsers without constructable stylesheets — keep the two in sync.
  const BOOT_CSS = `:host{all:initial}
.launcher{position:fixed;right:20px;bottom:20px;display:flex;align-items:center;gap:8px;height:52px;
padding:0 20px 0 16px;border:0;border-radius:26px;background:#1a5fb4;color:#fff;cursor:pointer;
font:600 16px/1 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
box-shadow:0 6px 20px rgba(16,42,84,.35)}
.launcher:hover{background:#154d93}.launcher:focus-visible{outline:3px solid #f5c211;outline-offset:3px}
.launcher svg{width:24px;height:24px}.panel[hidden]{display:none}`;

  const ICONS = {
    chat: 'M21 11.5a8.4 8.4 0 0 1-.9 3.8 8.5 8.5 0 0 1-7.6 4.7 8.4 8.4 0 0 1-3.8-.9L3 21l1.9-5.7a8.4 8.4 0 0 1-.9-3.8 8.5 8.5 0 0 1 4.7-7.6 8.4 8.4 0 0 1 3.8-.9h.5a8.5 8.5 0 0 1 8 8z',
    close: 'M18 6 6 18M6 6l12 12',
    send: 'M22 2 11 13M22 2l-7 20-4-9-9-4z',
    up: 'M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.3a2 2 0 0 0 2-1.7l1.4-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3',
    copy: 'M20 9h-9a2 2 0 0 0-2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2-2v-9a2 2 0 0 0-2-2zM5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1',
    chevron: 'm6 9 6 6 6-6',
    reset: 'M1 4v6h6M3.5 15a9 9 0 1 0 2.1-9.4L1 10',
  };

  /** createElement with attributes and children; strings become text nodes (never parsed as HTML). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c);
    return el;
  }

  function icon(name) {
    const NS = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(NS, 'svg');
    for (const [k, v] of Object.entries({ viewBox: '0 0 24 24', fill: 'none', stroke: 'currentColor',
      'stroke-width': '2', 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true',
      class: 'icon icon-' + name })) svg.setAttribute(k, v);
    const path = document.createElementNS(NS, 'path');
    path.setAttribute('d', ICONS[name]);
    svg.append(path);
    return svg;
  }

  /** Resolve the API base URL from the embedding <script>: data-endpoint, else the script's origin. */
  function endpointOf(script) {
    const base = script && script.src ? script.src : location.href;
    const attr = script ? (script.getAttribute('data-endpoint') || '').trim() : '';
    try {
      return (attr ? new URL(attr, base).href : new URL(base).origin).replace(/\/+$/, '');
    } catch (_) {
      return location.origin;
    }
  }

  /** An error the UI knows how to explain; `retryAfter` in seconds for 429. */
  class ApiError extends Error {
    constructor(kind, message, retryAfter) {
      super(message);
      this.kind = kind;
      this.retryAfter = retryAfter;
    }
  }

  /** Turn a non-2xx response into an ApiError carrying the server's {error:{code,message}}. */
  async function errorFrom(res) {
    let message = '';
    try {
      const body = await res.json();
      message = (body && body.error && body.error.message) || '';
    } catch (_) { /* not JSON: keep the generic message */ }
    if (res.status === 429) {
      const secs = parseInt(res.headers.get('Retry-After') || '', 10);
      return new ApiError('rate', message, Number.isFinite(secs) && secs >= 0 ? secs : null);
    }
    return new ApiError(res.status >= 500 ? 'down' : 'bad', message);
  }

  /**
   * Read a Server-Sent Events body (fetch + ReadableStream, since EventSource cannot POST) and call
   * onEvent(name, parsedData) per event. Lines end in \n, \r\n or \r; `touch` is called per chunk so
   * the caller's inactivity timer restarts while data flows.
   */
  async function readSse(body, onEvent, touch) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    let name = '';
    let data = [];
    const line = (text) => {
      if (text === '') {
        if (data.length) onEvent(name || 'message', JSON.parse(data.join('\n')));
        name = '';
        data = [];
      } else if (text[0] !== ':') { // lines starting with ':' are comments / keep-alive pings
        const i = text.indexOf(':');
        const field = i < 0 ? text : text.slice(0, i);
        const value = i < 0 ? '' : text.slice(i + 1).replace(/^ /, '');
        if (field === 'event') name = value;
        else if (field === 'data') data.push(value);
      }
    };
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        touch();
        buf += decoder.decode(value, { stream: true });
        const re = /\r\n|\r(?!$)|\n/g; // a \r at the very end may be half of \r\n: wait for more
        let start = 0;
        let m;
        while ((m = re.exec(buf))) {
          line(buf.slice(start, m.index));
          start = re.lastIndex;
        }
        buf = buf.slice(start);
      }
      if (buf) line(buf);
      line('');
    } catch (err) {
      reader.cancel().catch(() => {});
      throw err;
    }
  }

  /** Render answer text into `el`: lines starting with "- " become a list, the rest paragraphs (as text). */
  function showText(el, answer) {
    const blocks = [];
    let list = null;
    for (const line of answer.split('\n')) {
      const item = /^\s*[-•·]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) blocks.push((list = h('ul')));
        list.append(h('li', null, item[1]));
      } else if (line.trim()) {
        list = null;
        blocks.push(h('p', null, line));
      }
    }
    el.replaceChildren(...blocks);
  }

  let uid = 0;
  const nextId = (p) => `tq-${p}-${++uid}`;

  class TaskqaWidget extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.endpoint = (this.getAttribute('endpoint') || location.origin).replace(/\/+$/, '');
      this.storageKey = 'taskqa:session:' + this.endpoint;
      this.sessionId = null;
      try { this.sessionId = sessionStorage.getItem(this.storageKey); } catch (_) { /* storage blocked */ }
      this.busy = false;
      this.controller = null;

      // The host floats above the page; inline CSSOM styles are allowed under a strict CSP.
      for (const [k, v] of [['position', 'fixed'], ['z-index', '2147483000'], ['top', '0'], ['left', '0']]) {
        this.style.setProperty(k, v, 'important');
      }
      const root = this.attachShadow({ mode: 'open' });
      if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(BOOT_CSS);
        root.adoptedStyleSheets = [sheet];
      } else {
        this.loadCss(); // old browser: widget.css carries the launcher styles too
      }
      this.launcher = h('button', {
        class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-haspopup': 'dialog',
        onclick: () => (this.panel && !this.panel.hidden ? this.close() : this.open()),
      });
      this.setLauncher(false);
      root.append(this.launcher);
    }

    /** The launcher says what a click will do: open the assistant, or fold it away. */
    setLauncher(open) {
      this.launcher.setAttribute('aria-expanded', String(open));
      this.launcher.setAttribute('aria-label', open ? '收起营商环境政策问答' : '打开营商环境政策问答');
      this.launcher.classList.toggle('is-open', open);
      this.launcher.replaceChildren(icon(open ? 'close' : 'chat'), h('span', null, open ? '收起' : '政策问答'));
    }

    /** Link widget.css inside the shadow root once; resolves when loaded (or failed, or after 3 s). */
    loadCss() {
      if (!this.cssReady) {
        const link = h('link', { rel: 'stylesheet', href: `${this.endpoint}/widget.css?v=${VERSION}` });
        this.cssReady = new Promise((resolve) => {
          link.addEventListener('load', resolve);
          link.addEventListener('error', resolve);
          setTimeout(resolve, 3000);
        });
        this.shadowRoot.prepend(link);
      }
      return this.cssReady;
    }

    async open() {
      if (!this.panel) this.build();
      await this.loadCss(); // the panel stays hidden until styled: no flash of unstyled content
      this.panel.hidden = false;
      this.setLauncher(true);
      this.input.focus();
    }

    close() {
      if (!this.panel || this.panel.hidden) return;
      this.panel.hidden = true;
      this.setLauncher(false);
      this.launcher.focus();
    }

    build() {
      const titleId = nextId('title');
      this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions text',
        'aria-label': '对话记录', tabindex: '0' });
      this.input = h('textarea', {
        class: 'input', rows: '1', maxlength: '500', placeholder: '请输入您的问题',
        'aria-label': '输入问题（Enter 发送，Shift+Enter 换行）', enterkeyhint: 'send',
      });
      this.sendBtn = h('button', { class: 'send', type: 'submit', 'aria-label': '发送' }, icon('send'));
      const form = h('form', { class: 'composer', onsubmit: (e) => { e.preventDefault(); this.submit(); } },
        this.input, this.sendBtn);
      this.input.addEventListener('keydown', (e) => {
        // Enter sends, Shift+Enter is a newline; never send while an IME is composing Chinese text.
        if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
          e.preventDefault();
          this.submit();
        }
      });
      this.input.addEventListener('input', () => this.autosize());
      this.panel = h('div', { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId,
        hidden: true },
        h('header', { class: 'head' },
          h('div', { class: 'titles' },
            h('h2', { class: 'title', id: titleId }, '营商环境政策问答'),
            h('p', { class: 'subtitle' }, '依据伊党办发〔2022〕5号 · 482 项任务')),
          h('button', { class: 'icon-btn', type: 'button', 'aria-label': '新对话', title: '新对话',
            onclick: () => this.reset() }, icon('reset')),
          h('button', { class: 'icon-btn', type: 'button', 'aria-label': '关闭', title: '关闭（Esc）',
            onclick: () => this.close() }, icon('close'))),
        this.log,
        form,
        h('p', { class: 'note' }, '回答摘自方案原文，仅供参考；以正式文件为准。'));
      // Esc anywhere in the widget (panel or launcher) closes it and focus returns to the launcher.
      this.shadowRoot.addEventListener('keydown', (e) => {
        if (e.key === 'Escape' && !this.panel.hidden) { e.preventDefault(); this.close(); }
      });
      this.shadowRoot.append(this.panel);
      this.welcome();
    }

    welcome() {
      const chips = EXAMPLES.map((q) => h('li', null,
        h('button', { class: 'chip', type: 'button', onclick: () => this.send(q) }, q)));
      this.log.append(h('div', { class: 'msg bot welcome' },
        h('p', null, '您好！我可以回答《伊金霍洛旗对标先进建设最优营商环境实施方案》中的问题：哪个单位牵头、谁来配合、什么时候完成、对标哪座城市。'),
        h('p', { class: 'examples-label' }, '您可以试试：'),
        h('ul', { class: 'examples' }, chips)));
    }

    reset() {
      if (this.controller) this.controller.abort();
      this.setSession(null);
      this.log.replaceChildren();
      this.welcome();
      this.input.focus();
    }

    setSession(id) {
      this.sessionId = id || null;
      try {
        if (id) sessionStorage.setItem(this.storageKey, id);
        else sessionStorage.removeItem(this.storageKey);
      } catch (_) { /* storage blocked: memory only */ }
    }

    autosize() {
      this.input.style.height = 'auto';
      this.input.style.height = Math.min(this.input.scrollHeight, 120) + 'px';
    }

    submit() {
      const q = this.input.value.trim();
      if (!q || this.busy) return;
      this.input.value = '';
      this.autosize();
      this.send(q);
    }

    send(question) {
      if (this.busy) return;
      this.log.append(h('div', { class: 'msg user' }, h('p', { class: 'text' }, question)));
      const bot = h('div', { class: 'msg bot' });
      this.log.append(bot);
      this.run(question, bot);
    }

    scrollEnd() {
      this.log.scrollTop = this.log.scrollHeight;
    }

    setBusy(on) {
      this.busy = on;
      this.sendBtn.disabled = on;
    }

    /** Ask the streaming endpoint and render into `bot`; errors become a message with a 重试 button. */
    async run(question, bot) {
      this.setBusy(true);
      bot.className = 'msg bot';
      bot.removeAttribute('role');
      bot.setAttribute('aria-busy', 'true');
      bot.replaceChildren(h('p', { class: 'status' }, h('span', { class: 'dots', 'aria-hidden': 'true' }),
        '正在查阅方案…'));
      const text = h('div', { class: 'text' });
      const ctrl = new AbortController();
      this.controller = ctrl;
      let timedOut = false;
      let timer = 0;
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, TIMEOUT_MS);
      };
      let answer = '';
      let meta = null;
      this.scrollEnd();
      try {
        touch();
        const res = await fetch(`${this.endpoint}/api/v1/ask/stream`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify({ question, session_id: this.sessionId }),
          signal: ctrl.signal,
        });
        if (!res.ok) throw await errorFrom(res);
        const onDelta = (piece) => {
          // Follow the growing answer, unless the user has scrolled up to read something else.
          const log = this.log;
          const follow = log.scrollHeight - log.scrollTop - log.clientHeight < 60;
          if (!text.isConnected) bot.replaceChildren(text);
          answer += piece;
          showText(text, answer);
          if (follow) this.scrollEnd();
        };
        if ((res.headers.get('Content-Type') || '').includes('application/json')) {
          // A proxy or server without streaming answered like POST /api/v1/ask: same result, one piece.
          meta = await res.json();
          onDelta(meta.answer || '');
        } else {
          await readSse(res.body, (name, data) => {
            if (name === 'delta') onDelta(data.text || '');
            else if (name === 'citations') meta = data;
            else if (name === 'error') throw new ApiError('server', (data.error && data.error.message) || '');
          }, touch);
        }
        if (!meta) throw new ApiError('down', '');
        if (meta.session_id) this.setSession(meta.session_id);
        this.renderAnswer(bot, text, question, answer, meta);
      } catch (err) {
        if (ctrl.signal.aborted && !timedOut) {
          bot.remove(); // the user started a new conversation
        } else {
          this.renderError(bot, question, timedOut ? new ApiError('timeout', '') : err);
        }
      } finally {
        clearTimeout(timer);
        bot.setAttribute('aria-busy', 'false');
        if (this.controller === ctrl) this.controller = null;
        this.setBusy(false);
      }
    }

    renderAnswer(bot, text, question, answer, meta) {
      const parts = [];
      if (meta.answerable === false) {
        // Honest "not covered" state: distinct styling, and a hint how to rephrase.
        bot.classList.add('unanswerable');
        parts.push(h('p', { class: 'badge' }, '方案未涉及'));
      }
      parts.push(text);
      if (!answer) showText(text, meta.answerable === false ? '这个问题在方案中没有找到依据。' : '');
      if (meta.answerable === false) {
        parts.push(h('p', { class: 'hint' }, '本助手只回答该实施方案中的任务、牵头单位、责任单位和完成时限。可以换个说法，或点“新对话”重新开始。'));
      }
      const cites = Array.isArray(meta.citations) ? meta.citations : [];
      if (cites.length) parts.push(this.renderCards(cites, meta.answerable === false));
      parts.push(this.renderActions(question, answer));
      bot.replaceChildren(...parts);
    }

    renderCards(cites, nearest) {
      // On a refusal the cards are the closest tasks, not the basis of an answer.
      const title = nearest ? '最接近的任务（可能并不回答您的问题）' : `依据任务（${cites.length} 项）`;
      const list = h('ul', { class: 'cards' }, cites.map((c, i) => this.renderCard(c, i >= CARDS_SHOWN)));
      const section = h('section', { class: 'citations', 'aria-label': nearest ? title : `引用的任务，共 ${cites.length} 项` },
        h('p', { class: 'citations-title' }, title), list);
      if (cites.length > CARDS_SHOWN) {
        const more = h('button', { class: 'more', type: 'button', onclick: () => {
          list.querySelectorAll('.card[hidden]').forEach((c) => { c.hidden = false; });
          more.remove();
          list.children[CARDS_SHOWN].querySelector('button').focus();
        } }, `显示其余 ${cites.length - CARDS_SHOWN} 项任务`);
        section.append(more);
      }
      return section;
    }

    renderCard(c, hidden) {
      const bodyId = nextId('task');
      const units = (xs) => (Array.isArray(xs) && xs.length ? xs.join('、') : '—');
      const body = h('div', { class: 'card-body', id: bodyId, hidden: true },
        h('p', { class: 'card-text' }, c.text || ''),
        h('dl', { class: 'meta' },
          h('dt', null, '责任单位'), h('dd', null, units(c.responsible_units)),
          c.benchmark ? [h('dt', null, '对标'), h('dd', null, c.benchmark)] : null));
      const toggle = h('button', { class: 'card-toggle', type: 'button', 'aria-expanded': 'false',
        'aria-controls': bodyId, onclick: () => {
          const open = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(open));
          body.hidden = !open;
        } },
        h('span', { class: 'task-no' }, `任务 ${c.task_id}`),
        h('span', { class: 'section' }, c.section || ''),
        icon('chevron'));
      return h('li', { class: 'card', hidden, 'data-task-id': c.task_id },
        toggle,
        h('dl', { class: 'meta' },
          h('dt', null, '牵头单位'), h('dd', null, units(c.lead_units)),
          h('dt', null, '完成时限'), h('dd', null, c.deadline || '—')),
        body);
    }

    renderActions(question, answer) {
      const status = h('span', { class: 'action-status', role: 'status' });
      const rate = (rating) => h('button', {
        class: `icon-btn rate rate-${rating}`, type: 'button', 'aria-pressed': 'false',
        'aria-label': rating === 'up' ? '回答有帮助' : '回答没有帮助', title: rating === 'up' ? '有帮助' : '没帮助',
        onclick: (e) => this.feedback(e.currentTarget, rating, question, answer, status),
      }, icon('up'));
      return h('div', { class: 'actions' },
        h('button', { class: 'icon-btn copy', type: 'button', 'aria-label': '复制回答', title: '复制回答',
          onclick: () => this.copy(answer, status) }, icon('copy')),
        rate('up'), rate('down'), status);
    }

    async feedback(btn, rating, question, answer, status) {
      const buttons = btn.parentElement.querySelectorAll('.rate');
      buttons.forEach((b) => { b.disabled = true; });
      btn.setAttribute('aria-pressed', 'true');
      try {
        const res = await fetch(`${this.endpoint}/api/v1/feedback`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ session_id: this.sessionId, question, answer, rating, comment: null }),
          signal: AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined,
        });
        if (!res.ok) throw await errorFrom(res);
        status.textContent = '已收到反馈，谢谢！';
      } catch (_) {
        btn.setAttribute('aria-pressed', 'false');
        buttons.forEach((b) => { b.disabled = false; });
        status.textContent = '反馈未能发送，请稍后再试。';
      }
    }

    async copy(answer, status) {
      let ok = false;
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(answer);
          ok = true;
        }
      } catch (_) { /* denied: fall back below */ }
      if (!ok) {
        // Fallback for http:// pages and older browsers: a hidden textarea and execCommand('copy').
        const ta = h('textarea', { class: 'clip', readonly: true, 'aria-hidden': 'true' });
        ta.value = answer;
        this.shadowRoot.append(ta);
        ta.select();
        try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
        ta.remove();
      }
      status.textContent = ok ? '已复制回答' : '复制失败，请手动选择文字复制。';
    }

    renderError(bot, question, err) {
      // fetch rejects with a TypeError when the network or server is unreachable.
      const kind = err instanceof ApiError ? err.kind : err instanceof TypeError ? 'network' : 'down';
      let msg;
      if (kind === 'rate') {
        msg = err.retryAfter !== null ? `提问太频繁，请 ${err.retryAfter} 秒后重试。` : '提问太频繁，请稍后重试。';
      } else if (kind === 'timeout') {
        msg = `问答服务 ${TIMEOUT_MS / 1000} 秒内没有响应，请重试。`;
      } else if (kind === 'network') {
        msg = '无法连接问答服务，请检查网络后重试。';
      } else {
        msg = '问答服务暂时不可用，请稍后重试。';
      }
      const retry = h('button', { class: 'retry', type: 'button', onclick: () => {
        if (!this.busy) this.run(question, bot);
      } }, '重试');
      const parts = [h('p', { class: 'error-text' }, msg)];
      // The server's own (bilingual) message, when there is one, as plain text.
      if (err instanceof ApiError && err.message) parts.push(h('p', { class: 'error-detail' }, err.message));
      bot.className = 'msg bot error';
      bot.setAttribute('role', 'alert');
      bot.replaceChildren(...parts, retry);
      if (kind === 'rate' && err.retryAfter > 0) {
        // Count down on the button itself; it becomes usable when the server says it may.
        let left = err.retryAfter;
        retry.disabled = true;
        retry.textContent = `重试（${left} 秒）`;
        const tick = setInterval(() => {
          left -= 1;
          if (left > 0 && retry.isConnected) {
            retry.textContent = `重试（${left} 秒）`;
          } else {
            clearInterval(tick);
            retry.disabled = false;
            retry.textContent = '重试';
          }
        }, 1000);
      }
      this.scrollEnd();
    }
  }

  customElements.define(TAG, TaskqaWidget);

  // Auto-mount one widget per page for the <script> tag that loaded us.
  const script = document.currentScript;
  const mount = () => {
    if (document.querySelector(TAG)) return;
    const el = document.createElement(TAG);
    el.setAttribute('endpoint', endpointOf(script));
    document.body.append(el);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
