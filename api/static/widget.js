/*
 * taskqa chat widget — one tag embeds it on any page:
 *   <script src="https://HOST/widget.js" data-endpoint="https://HOST" defer></script>
 * (an empty or missing data-endpoint means the script's own origin). Optional attributes:
 *   data-position="right|left"  data-theme="light|dark|auto"  data-accent="#b31b1b"
 *   data-lang="zh|en" (before the conversation decides)  data-stylesheet="https://HOST/widget.css"
 *   data-plan="DOC_ID" (ask one plan only; GET /api/v1/plans lists them)
 * docs/embedding.md has the host page's CSP and the server's TASKQA_CORS_ORIGINS.
 *
 * Plain JavaScript, no build step. The UI lives in the Shadow DOM of a <taskqa-widget> element, so the
 * host page's CSS and ours never meet. Every style is built in as a constructable stylesheet (not subject
 * to the host's style-src, and no second request); data-stylesheet adds an optional theme on top. Nothing
 * is fetched until the user opens the panel. Every piece of server text goes in through textContent / text
 * nodes — never innerHTML. The conversation token and its transcript are kept together in sessionStorage
 * (this tab only): both come back after a reload, or neither does.
 */
(() => {
  'use strict';
  const TAG = 'taskqa-widget';
  if (window.customElements === undefined || customElements.get(TAG)) return;

  const STORE_VERSION = 2;
  const TIMEOUT_MS = 15000; // abort when the server sends nothing for this long
  const CARDS_SHOWN = 5; // citation cards shown at once; more come CARDS_STEP at a time
  const CARDS_STEP = 20;
  const LINES_SHOWN = 6; // answer lines shown before 「展开全文」 …
  const LINES_FOLD = 9; // … when the answer has at least this many
  const MAX_TURNS = 30; // turns kept in sessionStorage (the oldest go first)
  const PHONE = '(max-width: 420px)'; // the panel fills the screen and is modal
  // Bidirectional embedding and override controls: a U+202E in a question would flip its bubble.
  const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;

  const T = {
    zh: {
      htmlLang: 'zh-CN',
      open: '打开营商环境政策问答', fold: '收起营商环境政策问答', launcher: '政策问答', launcherOpen: '收起',
      title: '营商环境政策问答',
      subtitle: (p) => `依据${p.doc_number || '《' + p.title + '》'} · ${p.task_count} 项任务`,
      subtitleMany: (k, n) => `依据 ${k} 个方案 · ${n} 项任务`,
      newChat: '新对话', close: '关闭', closeTitle: '关闭（Esc）', log: '对话记录',
      placeholder: '请输入您的问题', inputLabel: '输入问题（Enter 发送，Shift+Enter 换行）', send: '发送',
      note: '回答摘自方案原文，仅供参考；以正式文件为准。',
      welcome: (title, k) => `您好！我可以回答${k > 1 ? `本站收录的 ${k} 个实施方案` : title ? '《' + title + '》' : '本实施方案'}中的问题：哪个单位牵头、谁来配合、什么时候完成、对标哪座城市。`,
      tryThese: '您可以试试：',
      thinking: '正在查阅方案…',
      badge: '方案未涉及', notCovered: '这个问题在方案中没有找到依据。',
      hint: '本助手只回答该实施方案中的任务、牵头单位、责任单位和完成时限。可以换个说法，或点“新对话”重新开始。',
      handoff: ['如需人工咨询，请拨打政务服务便民热线 ', '。'],
      nearest: '最接近的任务（可能并不回答您的问题）',
      basis: (n) => `依据任务（${n} 项）`, basisLabel: (n) => `引用的任务，共 ${n} 项`,
      more: (k, left) => `再显示 ${k} 项（还有 ${left} 项）`, fewer: '收起任务列表',
      task: (n) => `第${n}条`, lead: '牵头单位', responsible: '责任单位', deadline: '完成时限', benchmark: '对标',
      openTask: '查看任务详情', newWindow: '（在新窗口打开）', source: '方案原文',
      copyCite: '复制引用', citeCopied: (c) => `已复制：${c}`,
      expand: (n) => `展开全文（还有 ${n} 行）`, collapse: '收起全文',
      followups: '您可能还想问：',
      copy: '复制回答', copied: '已复制回答', copyFailed: '复制失败，请手动选择文字复制。',
      up: '回答有帮助', down: '回答没有帮助', upTitle: '有帮助', downTitle: '没帮助',
      reason: '哪里不满意？（选填）', submit: '提交', skip: '跳过',
      thanks: '已收到反馈，谢谢！', feedbackFailed: '反馈未能发送，请稍后再试。',
      rate: (s) => (s !== null ? `提问太频繁，请 ${s} 秒后重试。` : '提问太频繁，请稍后重试。'),
      timeout: (s) => `问答服务 ${s} 秒内没有响应，请重试。`,
      network: '无法连接问答服务，请检查网络后重试。', down5: '问答服务暂时不可用，请稍后重试。',
      notEnabled: '本网站尚未开通问答服务',
      unknownPlan: (id) => `问答服务中没有本网站设置的方案“${id}”，请告知网站管理员。`,
      retry: '重试', retryIn: (s) => `重试（${s} 秒）`,
      expired: '之前的对话已过期，以下是新的对话。',
    },
    en: {
      htmlLang: 'en',
      open: 'Open the business environment policy Q&A', fold: 'Close the policy Q&A', launcher: 'Policy Q&A',
      launcherOpen: 'Close',
      title: 'Business Environment Policy Q&A',
      subtitle: (p) => `Based on ${p.doc_number || p.title} · ${p.task_count} tasks`,
      subtitleMany: (k, n) => `Based on ${k} plans · ${n} tasks`,
      newChat: 'New conversation', close: 'Close', closeTitle: 'Close (Esc)', log: 'Conversation',
      placeholder: 'Type your question', inputLabel: 'Your question (Enter sends, Shift+Enter adds a line)',
      send: 'Send',
      note: 'Answers quote the plan and are for reference only; the official document prevails.',
      welcome: (title, k) => `Hello! I answer questions about ${k > 1 ? `the ${k} action plans on this service` : title ? '《' + title + '》' : 'this action plan'}: which unit leads a task, who helps, when it is due and which city it is benchmarked on.`,
      tryThese: 'You could try:',
      thinking: 'Looking it up in the plan…',
      badge: 'Not in the plan', notCovered: 'The plan has nothing on this question.',
      hint: 'This assistant only answers about the plan’s tasks, their lead and responsible units and deadlines. Try other words, or start a new conversation.',
      handoff: ['To ask a person, call the government service hotline ', '.'],
      nearest: 'Closest task (it may not answer your question)',
      basis: (n) => `Tasks cited (${n})`, basisLabel: (n) => `Cited tasks, ${n} in all`,
      more: (k, left) => `Show ${k} more (${left} left)`, fewer: 'Show fewer tasks',
      task: (n) => `Task ${n}`, lead: 'Lead', responsible: 'Responsible', deadline: 'Deadline',
      benchmark: 'Benchmark',
      openTask: 'Open the task page', newWindow: ' (opens in a new window)', source: 'The plan itself',
      copyCite: 'Copy citation', citeCopied: (c) => `Copied: ${c}`,
      expand: (n) => `Show the whole answer (${n} more lines)`, collapse: 'Show less',
      followups: 'You might also ask:',
      copy: 'Copy the answer', copied: 'Answer copied', copyFailed: 'Copy failed: select the text and copy it.',
      up: 'The answer helped', down: 'The answer did not help', upTitle: 'Helpful', downTitle: 'Not helpful',
      reason: 'What was wrong? (optional)', submit: 'Send', skip: 'Skip',
      thanks: 'Thank you for the feedback!', feedbackFailed: 'The feedback could not be sent; please try later.',
      rate: (s) => (s !== null ? `Too many questions: please retry in ${s} s.` : 'Too many questions: please retry later.'),
      timeout: (s) => `The Q&A service did not answer within ${s} seconds; please retry.`,
      network: 'Cannot reach the Q&A service; check the network and retry.',
      down5: 'The Q&A service is unavailable right now; please retry later.',
      notEnabled: 'Q&A is not enabled for this website',
      unknownPlan: (id) => `The Q&A service has no plan “${id}”, which this website names; please tell its administrator.`,
      retry: 'Retry', retryIn: (s) => `Retry (${s} s)`,
      expired: 'The earlier conversation expired; this is a new one.',
    },
  };

  /** Questions to ask next, from what was just answered (each phrasing tried against the real QA). */
  function followups(lang, intent, question, cites, named) {
    const out = [];
    if (cites.length === 1) {
      const n = cites[0].task_id;
      const lead = (cites[0].lead_units || [])[0];
      const plan = named && cites[0].short_title ? `《${cites[0].short_title}》` : '';
      if (lang === 'en') {
        if (intent !== 'deadline') out.push(`When is ${plan && plan + ' '}task ${n} due?`);
        if (intent !== 'who_leads_task') out.push(`Who leads ${plan && plan + ' '}task ${n}?`);
      } else {
        if (intent !== 'deadline') out.push(`${plan}第${n}条什么时候完成？`);
        if (intent !== 'responsible') out.push(`${plan}第${n}条的责任单位有哪些？`);
        if (lead) out.push(`${lead}还牵头哪些任务？`);
      }
    } else if (cites.length > 1) {
      const dated = /2022|年底|end of/i.test(question);
      if (lang === 'en') {
        if (!dated) out.push('Which of them are due by the end of 2022?');
      } else {
        if (!dated) out.push('其中哪些要在2022年底前完成？');
        if (intent !== 'responsible') out.push('它们的责任单位有哪些？');
        if (intent !== 'deadline') out.push('那完成时限呢？');
      }
    }
    return out.filter((q) => q !== question).slice(0, 3);
  }

  // Every style of the widget. Colours are custom properties on :host so a theme (data-theme, data-accent,
  // data-stylesheet) changes them without touching the rules; they pass WCAG AA on the default theme. The
  // defaults sit in a cascade layer: a data-stylesheet theme is unlayered, so it wins although a shadow
  // root's adopted sheets come after its <link>s.
  const STYLES = `
@layer defaults{
:host{all:initial;--tq-accent:#1a5fb4;--tq-accent-dark:#154c90;
--tq-on-accent:#fff;--tq-ink:#1f2933;--tq-muted:#55606e;--tq-line:#d5dde7;--tq-bg:#f4f6f9;--tq-surface:#fff;
--tq-card:#f9fafc;--tq-chip:#eef4fb;--tq-chip-line:#b9cde6;--tq-focus:#b35900;--tq-warn-bg:#fffaeb;
--tq-warn-line:#e5a50a;--tq-warn-ink:#5c4200;--tq-error-bg:#fdf0ef;--tq-error-line:#c01c28;--tq-error-ink:#8a1520}
:host([theme=dark]){--tq-accent:#78aeed;--tq-accent-dark:#5f8fc9;--tq-on-accent:#0b1a2e;--tq-ink:#e7ebf0;
--tq-muted:#aab4c0;--tq-line:#3a4350;--tq-bg:#171b21;--tq-surface:#20252d;--tq-card:#262c35;--tq-chip:#253246;
--tq-chip-line:#3d5475;--tq-focus:#f5c211;--tq-warn-bg:#2f2a1a;--tq-warn-ink:#f3d98b;--tq-error-bg:#321c1d;
--tq-error-ink:#f5b7b1}
@media (prefers-color-scheme:dark){:host([theme=auto]){--tq-accent:#78aeed;--tq-accent-dark:#5f8fc9;
--tq-on-accent:#0b1a2e;--tq-ink:#e7ebf0;--tq-muted:#aab4c0;--tq-line:#3a4350;--tq-bg:#171b21;--tq-surface:#20252d;
--tq-card:#262c35;--tq-chip:#253246;--tq-chip-line:#3d5475;--tq-focus:#f5c211;--tq-warn-bg:#2f2a1a;
--tq-warn-ink:#f3d98b;--tq-error-bg:#321c1d;--tq-error-ink:#f5b7b1}}
}
.launcher{position:fixed;right:20px;bottom:20px;display:flex;align-items:center;gap:8px;height:52px;
padding:0 20px 0 16px;border:0;border-radius:26px;background:var(--tq-accent);color:var(--tq-on-accent);cursor:pointer;
font:600 16px/1 system-ui,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;
box-shadow:0 6px 20px rgba(16,42,84,.35)}
:host([position=left]) .launcher{right:auto;left:20px}
.launcher:hover{background:var(--tq-accent-dark)}
.launcher:focus-visible{outline:3px solid var(--tq-focus);outline-offset:3px}
.launcher svg{width:24px;height:24px}
.panel{position:fixed;right:20px;bottom:84px;display:flex;flex-direction:column;width:400px;
height:min(640px,calc(100vh - 110px));overflow:hidden;border-radius:14px;background:var(--tq-surface);color:var(--tq-ink);
box-shadow:0 12px 40px rgba(16,42,84,.28),0 0 0 1px rgba(16,42,84,.08);
font:15px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;text-align:left}
:host([position=left]) .panel{right:auto;left:20px}
.panel[hidden]{display:none}
:where(.panel) *,:where(.panel) *::before,:where(.panel) *::after{box-sizing:border-box}
:where(.panel) :where(p,ul,ol,dl,dd,h2){margin:0;padding:0}
:where(.panel) ul{list-style:none}
:where(.panel) :where(button,textarea){font:inherit;color:inherit}
.panel a{color:var(--tq-accent-dark)}
.panel :focus-visible{outline:3px solid var(--tq-focus);outline-offset:1px}
.head :focus-visible{outline-color:#f5c211}
.icon{width:20px;height:20px;flex:none}
.head{display:flex;align-items:center;gap:4px;padding:12px 10px 12px 16px;background:var(--tq-accent-dark);color:var(--tq-on-accent)}
.titles{flex:1;min-width:0}
.title{font-size:16px;font-weight:700;line-height:1.3}
.subtitle{font-size:12px}
.icon-btn{display:inline-flex;align-items:center;justify-content:center;width:36px;height:36px;padding:0;border:0;
border-radius:8px;background:transparent;cursor:pointer}
.head .icon-btn:hover{background:rgba(255,255,255,.16)}
.log{position:relative;flex:1;display:flex;flex-direction:column;gap:12px;padding:16px 14px;overflow-y:auto;
overscroll-behavior:contain;background:var(--tq-bg)}
.msg{max-width:92%;padding:10px 12px;border-radius:12px;overflow-wrap:anywhere;unicode-bidi:isolate}
.msg .text{white-space:pre-wrap}
.msg .text p+p,.msg .text p+ul,.msg .text ul+p{margin-top:4px}
.msg .text ul{margin:2px 0;padding-left:1.2em;list-style:disc}
.msg .text li::marker{color:var(--tq-muted)}
.msg .text [hidden]{display:none}
.msg.user{align-self:flex-end;max-width:85%;border-bottom-right-radius:4px;background:var(--tq-accent-dark);color:var(--tq-on-accent)}
.msg.bot{align-self:flex-start;width:92%;border:1px solid var(--tq-line);border-bottom-left-radius:4px;background:var(--tq-surface)}
.msg.notice{align-self:center;max-width:100%;padding:2px 10px;border:0;background:none;color:var(--tq-muted);font-size:13px;text-align:center}
.welcome p+p{margin-top:8px}
.label{color:var(--tq-muted);font-size:13px}
.chips{display:flex;flex-direction:column;gap:6px;margin-top:6px}
.chip{width:100%;padding:6px 10px;border:1px solid var(--tq-chip-line);border-radius:8px;background:var(--tq-chip);
color:var(--tq-accent-dark);text-align:left;cursor:pointer}
.chip:hover{filter:brightness(.96)}
.chip:disabled{cursor:default;opacity:.6}
.followups{margin-top:10px}
.status{display:flex;align-items:center;gap:8px;color:var(--tq-muted)}
.dots{width:24px;height:8px;background:radial-gradient(circle,var(--tq-accent) 3px,transparent 3.5px) 0 0/8px 8px repeat-x;
animation:pulse 1s ease-in-out infinite alternate}
@keyframes pulse{from{opacity:.3}to{opacity:1}}
.ref{color:inherit;text-decoration:underline;text-decoration-color:var(--tq-accent);text-underline-offset:2px}
.msg.unanswerable{border:1px solid #f0d28a;border-left:4px solid var(--tq-warn-line);background:var(--tq-warn-bg)}
.badge{display:inline-block;margin-bottom:6px;padding:0 8px;border-radius:10px;background:#f6d77a;color:#5c4200;
font-size:12px;font-weight:700}
.hint,.handoff{margin-top:8px;color:var(--tq-warn-ink);font-size:13px}
.handoff a{color:inherit;font-weight:700}
.msg.error{border:1px solid #f1b5b0;border-left:4px solid var(--tq-error-line);background:var(--tq-error-bg)}
.error-text{font-weight:600;color:var(--tq-error-ink)}
.error-detail{margin-top:4px;color:var(--tq-muted);font-size:13px}
.retry,.more,.fold{margin-top:8px;padding:4px 16px;border:1px solid var(--tq-accent-dark);border-radius:16px;
background:var(--tq-surface);color:var(--tq-accent-dark);cursor:pointer}
.retry:disabled{border-color:var(--tq-line);color:var(--tq-muted);cursor:default}
.more{width:100%}
.fold{display:block;padding:2px 12px;font-size:13px}
.citations{margin-top:10px}
.citations-title{margin-bottom:6px;color:var(--tq-muted);font-size:13px;font-weight:600}
.cards{display:flex;flex-direction:column;gap:6px}
.card{border:1px solid var(--tq-line);border-radius:8px;background:var(--tq-card);font-size:13px}
.card[hidden],.card-body[hidden]{display:none}
.card.flash{animation:flash 1.6s ease-out}
@keyframes flash{from{box-shadow:0 0 0 3px var(--tq-focus)}to{box-shadow:0 0 0 3px transparent}}
.card-toggle{display:flex;flex-wrap:wrap;align-items:center;gap:0 8px;width:100%;padding:6px 8px 2px 10px;border:0;background:transparent;
text-align:left;cursor:pointer}
.task-no{flex:none;color:var(--tq-accent-dark);font-weight:700}
.plan-name{flex-basis:100%;overflow:hidden;color:var(--tq-muted);font-size:12px;text-overflow:ellipsis;white-space:nowrap}
.section{flex:1;min-width:0;overflow:hidden;color:var(--tq-muted);text-overflow:ellipsis;white-space:nowrap}
.card-toggle .icon{width:16px;height:16px;color:var(--tq-muted);transition:transform .15s}
.card-toggle[aria-expanded=true] .icon{transform:rotate(180deg)}
.meta{display:grid;grid-template-columns:5em 1fr;gap:0 6px;padding:0 10px 6px}
.meta dt{color:var(--tq-muted)}
.card-body{padding:6px 10px 8px;border-top:1px dashed var(--tq-line)}
.card-text{margin-bottom:4px;line-height:1.65}
.card-body .meta{padding:0 0 6px}
.card-links{display:flex;flex-wrap:wrap;align-items:center;gap:4px 14px}
.link-btn{padding:0;border:0;background:none;color:var(--tq-accent-dark);text-decoration:underline;cursor:pointer}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:2px;margin-top:8px;color:var(--tq-muted)}
.actions .icon-btn{width:32px;height:32px}
.actions .icon-btn:hover:not(:disabled){background:var(--tq-bg);color:var(--tq-ink)}
.actions .icon{width:17px;height:17px}
.rate-down .icon{transform:scaleY(-1)}
.rate[aria-pressed=true]{color:var(--tq-accent-dark)}
.rate:disabled{cursor:default}
.action-status{margin-left:6px;font-size:12px}
.reason{display:flex;flex-direction:column;gap:6px;width:100%;margin-top:6px}
.reason label{color:var(--tq-ink);font-size:13px}
.reason textarea{min-height:56px;padding:6px 8px;border:1px solid #8895a5;border-radius:8px;background:var(--tq-surface);
color:var(--tq-ink);font-size:16px;resize:vertical}
.reason-buttons{display:flex;gap:8px}
.reason-buttons button{padding:2px 14px;border:1px solid var(--tq-accent-dark);border-radius:14px;background:var(--tq-surface);
color:var(--tq-accent-dark);cursor:pointer}
.reason-buttons .primary{background:var(--tq-accent-dark);color:var(--tq-on-accent)}
.composer{display:flex;align-items:flex-end;gap:8px;padding:10px 12px 4px;border-top:1px solid var(--tq-line);background:var(--tq-surface)}
.input{flex:1;min-height:42px;max-height:120px;padding:8px 10px;border:1px solid #8895a5;border-radius:10px;
background:var(--tq-surface);color:var(--tq-ink);font-size:16px;line-height:1.5;resize:none}
.input:focus{border-color:var(--tq-accent);outline:none;box-shadow:0 0 0 3px rgba(26,95,180,.25)}
.input:disabled{background:var(--tq-bg)}
.send{display:inline-flex;align-items:center;justify-content:center;flex:none;width:42px;height:42px;border:0;
border-radius:10px;background:var(--tq-accent-dark);color:var(--tq-on-accent);cursor:pointer}
.send:disabled{opacity:.55;cursor:default}
.note{padding:2px 12px 8px;background:var(--tq-surface);color:var(--tq-muted);font-size:12px}
.clip{position:fixed;top:0;left:-9999px;opacity:0}
@media (max-width:420px){.panel,:host([position=left]) .panel{inset:0;width:100%;height:100%;border-radius:0}
.launcher.is-open{display:none}.launcher,:host([position=left]) .launcher{right:14px;bottom:14px}
:host([position=left]) .launcher{right:auto;left:14px}}
@media (prefers-reduced-motion:reduce){.dots,.card.flash{animation:none}.card-toggle .icon{transition:none}}
@media print{.launcher,.panel{display:none}}
`;

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
      focusable: 'false', class: 'icon icon-' + name })) svg.setAttribute(k, v);
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

  /** The language of a question: 'en' for mostly Latin letters, 'zh' with Chinese, else null. */
  function langOf(text) {
    const han = (text.match(/[\u3400-\u9fff]/g) || []).length;
    const latin = (text.match(/[A-Za-z]/g) || []).length;
    if (latin >= 3 && latin > han * 2) return 'en';
    return han ? 'zh' : null;
  }

  /** The language of an answer: our answers begin in the language they are written in (unit names inside
   * an English answer are Chinese, so counting characters would not do). */
  function answerLang(text) {
    const m = /[A-Za-z]|[\u3400-\u9fff]/.exec(text);
    return m ? (/[A-Za-z]/.test(m[0]) ? 'en' : 'zh') : null;
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
    let code = '';
    try {
      const body = await res.json();
      message = (body && body.error && body.error.message) || '';
      code = body.error.code;
    } catch (_) { /* not JSON: keep the generic message */ }
    if (code === 'unknown_plan') return new ApiError(code, message);
    if (res.status === 429) {
      const secs = parseInt(res.headers.get('Retry-After') || '', 10);
      return new ApiError('rate', message, Number.isFinite(secs) && secs >= 0 ? secs : null);
    }
    return new ApiError(res.status >= 500 ? 'down' : 'bad', message);
  }

  /** The half of a bilingual server message ("中文 / English") in the UI's language. */
  function half(message, lang) {
    const i = message.indexOf(' / ');
    if (i < 0) return message;
    return lang === 'en' ? message.slice(i + 3) : message.slice(0, i);
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

  // Task numbers in an answer, as qa/verify.py finds them: 第233条, 第233、234条, task 7, tasks 7, 9.
  // Numbers inside 「quotes」 are the plan's own words, not citations.
  const CITE = /(「[^」]*」)|(第)(\d+(?:、\d+)*)(条)|(^|[^A-Za-z])(tasks? )(\d+(?:, \d+)*)/g;
  // With several plans: 《简称》第5条; a bare one is of the plan named last in its line (qa/verify.py).
  const NAMED = /《([^《》「」\n]{1,60})》\s*$/;

  /** A line of answer text as nodes, each cited task number a link made by `ref(n, text, shortTitle)`. */
  function withRefs(line, ref) {
    const out = [];
    let last = 0;
    let short = null;
    let m;
    CITE.lastIndex = 0;
    while ((m = CITE.exec(line))) {
      if (m[1]) continue; // a quotation
      const [before, numbers, after] = m[2] ? [m[2], m[3], m[4]] : [m[5] + m[6], m[7], ''];
      const at = m.index + (m[2] ? 0 : m[5].length);
      const named = NAMED.exec(line.slice(Math.max(0, at - 64), at));
      if (named) short = named[1];
      out.push(line.slice(last, m.index) + before);
      const sep = m[2] ? '、' : ', ';
      numbers.split(sep).forEach((n, i) => {
        if (i) out.push(sep);
        out.push(ref(Number(n), n, short));
      });
      if (after) out.push(after);
      last = m.index + m[0].length;
    }
    out.push(line.slice(last));
    return out.filter((x) => x !== '');
  }

  /**
   * Render answer text into `el`: lines starting with "- " become a list, the rest paragraphs (as text),
   * cited numbers links. A long answer shows its first LINES_SHOWN lines and folds the rest behind a button.
   */
  function showText(el, answer, ref, t) {
    const blocks = [];
    const lines = [];
    let list = null;
    for (const line of answer.split('\n')) {
      const item = /^\s*[-•·]\s+(.*)$/.exec(line);
      if (item) {
        if (!list) blocks.push((list = h('ul')));
        const li = h('li', null, withRefs(item[1], ref));
        list.append(li);
        lines.push(li);
      } else if (line.trim()) {
        list = null;
        const p = h('p', null, withRefs(line, ref));
        blocks.push(p);
        lines.push(p);
      }
    }
    const open = el.dataset.expanded === 'true';
    if (lines.length >= LINES_FOLD) {
      const rest = lines.slice(LINES_SHOWN);
      rest.forEach((x) => { x.hidden = !open; });
      const fold = h('button', { class: 'fold', type: 'button', 'aria-expanded': String(open), onclick: () => {
        el.dataset.expanded = String(el.dataset.expanded !== 'true');
        showText(el, answer, ref, t);
        el.querySelector('.fold').focus();
      } }, open ? t.collapse : t.expand(rest.length));
      blocks.push(fold);
    }
    el.replaceChildren(...blocks);
  }

  /** The plan of task n in the text: of the citation whose plan `short` names, or of the only one. */
  function docOf(cites, n, short) {
    const same = cites.filter((c) => c.task_id === n);
    return (same.find((c) => c.short_title === short) || (same[1] ? {} : same[0]) || {}).doc_id;
  }

  function findCard(bot, n, doc) {
    const cards = [...bot.querySelectorAll(`.card[data-task-id="${n}"]`)];
    return (doc ? cards.find((c) => c.dataset.docId === doc) : cards[1] ? null : cards[0]) || null;
  }

  let uid = 0;
  const nextId = (p) => `tq-${p}-${++uid}`;

  class TaskqaWidget extends HTMLElement {
    connectedCallback() {
      if (this.shadowRoot) return;
      this.endpoint = (this.getAttribute('endpoint') || location.origin).replace(/\/+$/, '');
      this.pinned = (this.getAttribute('plan') || '').trim() || null; // data-plan (a conversation of its own)
      this.storageKey = `taskqa:v${STORE_VERSION}:${this.endpoint}` + (this.pinned ? `#${this.pinned}` : '');
      const asked = (this.getAttribute('lang-hint') || document.documentElement.lang || navigator.language || 'zh');
      this.uiLang = /^en/i.test(asked) ? 'en' : 'zh';
      this.sessionId = null;
      this.turns = []; // [{q, a, meta, lang, rated}] — what the conversation token carries on
      this.restore();
      this.busy = false;
      this.controller = null;
      this.config = null;
      this.blocked = false; // the host page's CSP refused a request to the endpoint
      this.disabled = false;

      // The host floats above the page; inline CSSOM styles are allowed under a strict CSP.
      for (const [k, v] of [['position', 'fixed'], ['z-index', '2147483000'], ['top', '0'], ['left', '0']]) {
        this.style.setProperty(k, v, 'important');
      }
      const accent = (this.getAttribute('accent') || '').trim();
      if (accent && window.CSS && window.CSS.supports('color', accent)) {
        this.style.setProperty('--tq-accent', accent);
        this.style.setProperty('--tq-accent-dark', `color-mix(in srgb, ${accent} 80%, #000)`);
      }
      const root = this.attachShadow({ mode: 'open' });
      if ('adoptedStyleSheets' in root && typeof CSSStyleSheet.prototype.replaceSync === 'function') {
        const sheet = new CSSStyleSheet();
        sheet.replaceSync(STYLES);
        root.adoptedStyleSheets = [sheet];
      } else {
        root.append(h('style', null, STYLES)); // old browsers: needs style-src 'unsafe-inline' on strict hosts
      }
      const theme = (this.getAttribute('stylesheet') || '').trim();
      if (theme) root.append(h('link', { rel: 'stylesheet', href: new URL(theme, location.href).href }));
      document.addEventListener('securitypolicyviolation', (e) => {
        if ((e.blockedURI || '').startsWith(this.endpoint)) this.blocked = true;
      });
      this.phone = window.matchMedia(PHONE);
      this.phone.addEventListener('change', () => this.setModal());
      // While the phone panel is modal, focus that leaves it comes back.
      document.addEventListener('focusin', (e) => {
        if (this.isModal() && e.target !== this) (this.input.disabled ? this.closeBtn : this.input).focus();
      });
      this.launcher = h('button', {
        class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-haspopup': 'dialog',
        onclick: () => (this.panel && !this.panel.hidden ? this.close() : this.open()),
      });
      this.setLauncher(false);
      root.append(this.launcher);
    }

    get t() {
      return T[this.uiLang];
    }

    /** The launcher says what a click will do: open the assistant, or fold it away. */
    setLauncher(open) {
      const t = this.t;
      this.launcher.setAttribute('aria-expanded', String(open));
      this.launcher.setAttribute('aria-label', open ? t.fold : t.open);
      this.launcher.setAttribute('lang', t.htmlLang);
      this.launcher.classList.toggle('is-open', open);
      this.launcher.replaceChildren(icon(open ? 'close' : 'chat'), h('span', null, open ? t.launcherOpen : t.launcher));
    }

    // -- the conversation in sessionStorage --
    restore() {
      try {
        sessionStorage.removeItem('taskqa:session:' + this.endpoint); // version 1 kept the token alone
        const saved = JSON.parse(sessionStorage.getItem(this.storageKey) || 'null');
        if (saved && saved.v === STORE_VERSION && Array.isArray(saved.turns)) {
          this.sessionId = typeof saved.session === 'string' ? saved.session : null;
          this.turns = saved.turns.filter((x) => x && typeof x.q === 'string' && x.meta);
          if (saved.lang === 'en' || saved.lang === 'zh') this.uiLang = saved.lang;
          if (!this.sessionId) this.turns = [];
        }
      } catch (_) { /* storage blocked or unreadable: start afresh */ }
    }

    /** Save the token and the transcript together; if they cannot both be kept, neither is. */
    save() {
      const turns = this.turns.slice(-MAX_TURNS);
      for (;;) {
        try {
          if (!this.sessionId) sessionStorage.removeItem(this.storageKey);
          else sessionStorage.setItem(this.storageKey, JSON.stringify({ v: STORE_VERSION, session: this.sessionId, lang: this.uiLang, turns }));
          this.turns = turns;
          return;
        } catch (_) {
          if (turns.length > 1) { turns.shift(); continue; } // over quota: drop the oldest turn
          try { sessionStorage.removeItem(this.storageKey); } catch (__) { /* blocked */ }
          return; // storage unusable: this page keeps the conversation in memory only
        }
      }
    }

    // -- open, close, language --
    open() {
      const first = !this.panel;
      if (first) this.build();
      this.panel.hidden = false;
      this.setLauncher(true);
      this.setModal();
      this.input.focus();
      if (first) {
        this.showLast();
        this.loadConfig();
      }
    }

    close() {
      if (!this.panel || this.panel.hidden) return;
      this.panel.hidden = true;
      this.setLauncher(false);
      this.setModal();
      this.launcher.focus();
    }

    isModal() {
      return Boolean(this.panel && !this.panel.hidden && this.phone.matches);
    }

    /** Full screen on a phone: a modal dialog that keeps focus; beside the page on a desktop: not modal. */
    setModal() {
      if (this.panel) this.panel.setAttribute('aria-modal', String(this.isModal()));
    }

    /** Chrome in the conversation's language; messages keep the language they were written in. */
    setLang(lang) {
      if (!lang || lang === this.uiLang) return;
      this.uiLang = lang;
      if (!this.panel) return;
      const t = this.t;
      this.panel.setAttribute('lang', t.htmlLang);
      this.titleEl.textContent = t.title;
      this.resetBtn.setAttribute('aria-label', t.newChat);
      this.resetBtn.title = t.newChat;
      this.closeBtn.setAttribute('aria-label', t.close);
      this.closeBtn.title = t.closeTitle;
      this.log.setAttribute('aria-label', t.log);
      this.input.placeholder = !this.disabled ? t.placeholder : this.disabledBy ? '' : t.notEnabled;
      this.input.setAttribute('aria-label', t.inputLabel);
      this.sendBtn.setAttribute('aria-label', t.send);
      this.noteEl.textContent = t.note;
      this.setSubtitle();
      this.setLauncher(!this.panel.hidden);
      const welcome = this.log.querySelector('.welcome');
      if (welcome) welcome.replaceWith(this.welcome());
    }

    setSubtitle() {
      const plans = this.plans();
      const plan = this.pinned ? this.plan(this.pinned) : plans[1] ? null : plans[0];
      const tasks = plans.reduce((n, p) => n + p.task_count, 0);
      this.subtitleEl.textContent = plan ? this.t.subtitle(plan) : plans[1] && !this.pinned ? this.t.subtitleMany(plans.length, tasks) : '';
    }

    plans() {
      return (this.config && this.config.plans) || [];
    }

    /** Whether answers may cite several plans: several are loaded, or these citations span two. */
    spread(cites) {
      return this.plans().length > 1 || new Set((cites || []).map((c) => c.doc_id)).size > 1;
    }

    build() {
      const t = this.t;
      const titleId = nextId('title');
      this.log = h('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions text',
        'aria-label': t.log, tabindex: '0' });
      this.input = h('textarea', {
        class: 'input', rows: '1', maxlength: '500', placeholder: t.placeholder,
        'aria-label': t.inputLabel, enterkeyhint: 'send',
      });
      this.sendBtn = h('button', { class: 'send', type: 'submit', 'aria-label': t.send }, icon('send'));
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
      this.titleEl = h('h2', { class: 'title', id: titleId }, t.title);
      this.subtitleEl = h('p', { class: 'subtitle' });
      this.resetBtn = h('button', { class: 'icon-btn', type: 'button', 'aria-label': t.newChat, title: t.newChat,
        onclick: () => this.reset() }, icon('reset'));
      this.closeBtn = h('button', { class: 'icon-btn', type: 'button', 'aria-label': t.close, title: t.closeTitle,
        onclick: () => this.close() }, icon('close'));
      this.noteEl = h('p', { class: 'note' }, t.note);
      // A plain <div> heading row: a <header> here would add a second banner landmark to the host page.
      this.panel = h('div', { class: 'panel', role: 'dialog', 'aria-modal': 'false', 'aria-labelledby': titleId,
        lang: t.htmlLang, hidden: true },
        h('div', { class: 'head' }, h('div', { class: 'titles' }, this.titleEl, this.subtitleEl), this.resetBtn, this.closeBtn),
        this.log, form, this.noteEl);
      this.shadowRoot.addEventListener('keydown', (e) => {
        // Esc anywhere in the widget (panel or launcher) closes it and focus returns to the launcher.
        if (e.key === 'Escape' && !this.panel.hidden) { e.preventDefault(); this.close(); }
        if (e.key === 'Tab' && this.isModal()) this.trapTab(e);
      });
      this.shadowRoot.append(this.panel);
      this.log.append(this.welcome());
      this.turns.forEach((turn, i) => {
        this.log.append(this.userBubble(turn.q));
        const bot = h('div', { class: 'msg bot' });
        this.log.append(bot);
        this.renderAnswer(bot, turn, i);
      });
    }

    /** On the phone the panel is modal: Tab and Shift+Tab cycle within it. */
    trapTab(e) {
      const items = [...this.panel.querySelectorAll('button, a[href], textarea, [tabindex="0"]')]
        .filter((el) => !el.disabled && el.getClientRects().length > 0);
      if (!items.length) return;
      const first = items[0];
      const last = items[items.length - 1];
      const active = this.shadowRoot.activeElement;
      if (e.shiftKey && (active === first || !items.includes(active))) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && (active === last || !items.includes(active))) {
        e.preventDefault();
        first.focus();
      }
    }

    welcome() {
      const t = this.t;
      const plans = this.plans();
      const plan = this.pinned ? this.plan(this.pinned) : plans[0];
      // Examples of the pinned plan, else the first: made by the server from the plan's records (qa/examples.py).
      const examples = (plan && plan.examples && plan.examples[this.uiLang]) || [];
      return h('div', { class: 'msg bot welcome', lang: t.htmlLang },
        h('p', null, t.welcome(plan ? plan.title : '', this.pinned ? 1 : plans.length)),
        ...(examples.length ? [h('p', { class: 'label' }, t.tryThese), this.chips(examples)] : []));
    }

    chips(questions) {
      return h('ul', { class: 'chips' }, questions.map((q) => h('li', null,
        h('button', { class: 'chip', type: 'button', lang: langOf(q) === 'en' ? 'en' : 'zh-CN',
          disabled: this.disabled, onclick: () => this.send(q) }, q))));
    }

    /** Bring the last question and the start of its answer into view. */
    showLast() {
      const users = this.log.querySelectorAll('.msg.user');
      this.anchor = users[users.length - 1] || null;
      this.keepHeadline();
    }

    /** Scroll so the question being answered is at the top (a long answer's headline stays in view). */
    keepHeadline() {
      const log = this.log;
      const top = this.anchor ? this.anchor.offsetTop - 8 : log.scrollHeight;
      log.scrollTop = Math.max(0, Math.min(top, log.scrollHeight - log.clientHeight));
      this.autoTop = log.scrollTop;
    }

    reset() {
      if (this.controller) this.controller.abort();
      this.sessionId = null;
      this.turns = [];
      this.save();
      this.log.replaceChildren(this.welcome());
      if (this.disabled) this.showNotEnabled(this.disabledBy);
      this.input.focus();
    }

    autosize() {
      this.input.style.height = 'auto';
      this.input.style.height = Math.min(this.input.scrollHeight, 120) + 'px';
    }

    // -- the service's configuration, and a portal it does not know --
    async loadConfig() {
      try {
        const res = await fetch(`${this.endpoint}/api/v1/config`, { headers: { Accept: 'application/json' },
          signal: AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined });
        if (!res.ok) throw await errorFrom(res);
        this.config = await res.json();
        this.setSubtitle();
        const welcome = this.log.querySelector('.welcome');
        if (welcome) welcome.replaceWith(this.welcome());
        if (this.pinned && this.plans()[0] && !this.plan(this.pinned)) this.showUnknownPlan();
      } catch (err) {
        if (err instanceof TypeError && (await this.notEnabled())) this.showNotEnabled();
        // Any other failure: the first question says what is wrong, with a retry button.
      }
    }

    /**
     * Whether a failed request means this website may not use the service: the server answers, but not
     * to this origin (CORS: it is not in TASKQA_CORS_ORIGINS), or the host page's own CSP forbids it.
     * The console says which; a network failure is not this.
     */
    async notEnabled() {
      let origin;
      try { origin = new URL(this.endpoint).origin; } catch (_) { return false; }
      if (origin === location.origin) return false;
      let reachable = true;
      try {
        await fetch(`${this.endpoint}/healthz`, { mode: 'no-cors', cache: 'no-store',
          signal: AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined });
      } catch (_) {
        reachable = false;
      }
      // A CSP violation event comes after the fetch it refused has already failed: give it a moment.
      if (!reachable) await new Promise((resolve) => { setTimeout(resolve, 100); });
      if (this.blocked) {
        console.error(`taskqa widget: this page's Content-Security-Policy blocks ${origin}; allow it in connect-src (see docs/embedding.md).`);
        return true;
      }
      if (reachable) {
        console.error(`taskqa widget: ${origin} does not accept requests from ${location.origin}; add ${location.origin} to TASKQA_CORS_ORIGINS on that server (see docs/embedding.md).`);
      }
      return reachable;
    }

    /** No question can be asked: this website is refused, or (`why`) data-plan names no plan. */
    showNotEnabled(why) {
      const t = this.t;
      this.disabled = true;
      this.disabledBy = why;
      this.input.disabled = true;
      this.sendBtn.disabled = true;
      this.input.placeholder = why ? '' : t.notEnabled;
      this.log.querySelectorAll('.chip').forEach((c) => { c.disabled = true; });
      if (!this.log.querySelector('.not-enabled')) {
        this.log.append(h('div', { class: 'msg bot error not-enabled', role: 'alert', lang: t.htmlLang },
          h('p', { class: 'error-text' }, why ? t.unknownPlan(this.pinned) : t.notEnabled)));
      }
    }

    showUnknownPlan() {
      console.error(`taskqa widget: data-plan="${this.pinned}" is not in ${this.endpoint}/api/v1/plans`);
      this.showNotEnabled('unknown_plan');
    }

    // -- asking --
    submit() {
      const q = this.input.value.replace(BIDI, '').trim();
      if (!q || this.busy || this.disabled) return;
      this.input.value = '';
      this.autosize();
      this.send(q);
    }

    userBubble(question) {
      const lang = langOf(question);
      return h('div', { class: 'msg user', lang: lang === 'en' ? 'en' : lang === 'zh' ? 'zh-CN' : null },
        h('p', { class: 'text' }, question));
    }

    send(question) {
      question = question.replace(BIDI, '').trim();
      if (this.busy || this.disabled || !question) return;
      this.setLang(langOf(question));
      this.log.querySelectorAll('.followups').forEach((f) => f.remove()); // only the latest answer suggests
      const user = this.userBubble(question);
      this.log.append(user);
      this.anchor = user;
      const bot = h('div', { class: 'msg bot' });
      this.log.append(bot);
      this.run(question, bot);
    }

    setBusy(on) {
      this.busy = on;
      this.sendBtn.disabled = on || this.disabled;
    }

    /** Ask the streaming endpoint and render into `bot`; errors become a message with a 重试 button. */
    async run(question, bot) {
      const t = this.t;
      this.setBusy(true);
      bot.className = 'msg bot';
      bot.removeAttribute('role');
      bot.setAttribute('aria-busy', 'true');
      bot.setAttribute('lang', t.htmlLang);
      bot.replaceChildren(h('p', { class: 'status' }, h('span', { class: 'dots', 'aria-hidden': 'true' }), t.thinking));
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
      this.keepHeadline();
      try {
        touch();
        const res = await fetch(`${this.endpoint}/api/v1/ask/stream`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream' },
          body: JSON.stringify({ question, session_id: this.sessionId, doc_id: this.pinned || undefined }),
          signal: ctrl.signal,
        });
        if (!res.ok) throw await errorFrom(res);
        const ref = (n, label, short) => this.ref(bot, n, label, short, null);
        const onDelta = (piece) => {
          // Follow the growing answer until its question reaches the top, unless the user scrolled.
          const follow = Math.abs(this.log.scrollTop - this.autoTop) < 4;
          if (!text.isConnected) bot.replaceChildren(text);
          answer += piece;
          const lang = answerLang(answer) || this.uiLang;
          bot.setAttribute('lang', T[lang].htmlLang);
          showText(text, answer, ref, T[lang]);
          if (follow) this.keepHeadline();
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
        const turn = { q: question, a: answer, lang: answerLang(answer) || this.uiLang,
          meta: { answerable: meta.answerable !== false, intent: meta.intent || '',
            citations: Array.isArray(meta.citations) ? meta.citations : [] } };
        if (meta.new_conversation && this.turns.length) {
          // The server could not resume the conversation on screen: say so, and keep only what follows.
          this.log.insertBefore(h('p', { class: 'msg notice', role: 'note' }, T[turn.lang].expired), this.anchor);
          this.turns = [];
        }
        this.sessionId = meta.session_id || null;
        this.turns.push(turn);
        this.save();
        this.renderAnswer(bot, turn, this.turns.indexOf(turn));
        this.keepHeadline();
      } catch (err) {
        if (ctrl.signal.aborted && !timedOut) {
          bot.remove(); // the user started a new conversation
        } else {
          let e = timedOut ? new ApiError('timeout', '') : err;
          if (err instanceof TypeError && (await this.notEnabled())) e = new ApiError('disabled', '');
          this.renderError(bot, question, e);
          if (e.kind === 'disabled') this.showNotEnabled();
          if (e.kind === 'unknown_plan') this.showUnknownPlan();
        }
      } finally {
        clearTimeout(timer);
        bot.setAttribute('aria-busy', 'false');
        if (this.controller === ctrl) this.controller = null;
        this.setBusy(false);
      }
    }

    /** A cited number in the text: a link to the task's page that, clicked, opens its card here. */
    ref(bot, n, label, short, cites) {
      const doc = docOf(cites || [], n, short);
      return h('a', { class: 'ref', href: this.taskUrl(n, this.spread(cites) && doc), 'data-task': n, 'data-doc': doc, onclick: (e) => {
        if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return; // a new tab: the page
        if (!findCard(bot, n, doc)) return;
        e.preventDefault();
        this.revealCard(bot, n, doc);
      } }, label);
    }

    taskUrl(n, doc) {
      return `${this.endpoint}/tasks/${doc ? encodeURIComponent(doc) + '/' : ''}${n}` + (this.uiLang === 'en' ? '?lang=en' : '');
    }

    /** Show, open and scroll to a task's card (the cards before it are shown too). */
    revealCard(bot, n, doc) {
      const card = findCard(bot, n, doc);
      const list = card.parentElement;
      const cards = [...list.children];
      const upTo = cards.indexOf(card) + 1;
      if (card.hidden) list.dispatchEvent(new CustomEvent('reveal', { detail: upTo }));
      const toggle = card.querySelector('.card-toggle');
      if (toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
      this.log.scrollTop = Math.max(0, card.offsetTop - 48);
      this.autoTop = this.log.scrollTop;
      toggle.focus({ preventScroll: true });
      card.classList.remove('flash');
      void card.offsetWidth; // restart the animation
      card.classList.add('flash');
    }

    renderAnswer(bot, turn, index) {
      const t = T[turn.lang] || this.t;
      const meta = turn.meta;
      const refused = meta.answerable === false;
      bot.className = 'msg bot';
      bot.removeAttribute('role');
      bot.setAttribute('lang', t.htmlLang);
      const parts = [];
      if (refused) {
        // Honest "not covered" state: distinct styling, how to rephrase, and whom to call instead.
        bot.classList.add('unanswerable');
        parts.push(h('p', { class: 'badge' }, t.badge));
      }
      const text = h('div', { class: 'text' });
      const ref = (n, label, short) => this.ref(bot, n, label, short, meta.citations);
      showText(text, turn.a || (refused ? t.notCovered : ''), ref, t);
      parts.push(text);
      if (refused) {
        parts.push(h('p', { class: 'hint' }, t.hint));
        const hotline = this.config && this.config.hotline;
        if (hotline) {
          parts.push(h('p', { class: 'handoff' }, t.handoff[0],
            h('a', { href: 'tel:' + hotline.replace(/[^0-9+]/g, '') }, hotline), t.handoff[1]));
        }
      }
      const cites = meta.citations;
      if (cites.length) parts.push(this.renderCards(cites, refused, t));
      parts.push(this.renderActions(turn, index, t));
      if (!refused && index === this.turns.length - 1) {
        const next = followups(turn.lang, meta.intent, turn.q, cites, !this.pinned && this.spread(cites));
        if (next.length) parts.push(h('div', { class: 'followups' }, h('p', { class: 'label' }, t.followups), this.chips(next)));
      }
      bot.replaceChildren(...parts);
    }

    renderCards(cites, nearest, t) {
      // On a refusal the cards are the closest tasks, not the basis of an answer.
      const title = nearest ? t.nearest : t.basis(cites.length);
      const spread = this.spread(cites);
      const list = h('ul', { class: 'cards' }, cites.map((c, i) => this.renderCard(c, i >= CARDS_SHOWN, t, spread)));
      const section = h('section', { class: 'citations', 'aria-label': nearest ? title : t.basisLabel(cites.length) },
        h('p', { class: 'citations-title' }, title), list);
      if (cites.length <= CARDS_SHOWN) return section;
      let shown = CARDS_SHOWN;
      const more = h('button', { class: 'more', type: 'button' });
      const fewer = h('button', { class: 'more fewer', type: 'button' }, t.fewer);
      const show = (n, focus) => {
        const before = shown;
        shown = Math.min(Math.max(n, CARDS_SHOWN), cites.length);
        [...list.children].forEach((li, i) => { li.hidden = i >= shown; });
        const left = cites.length - shown;
        more.hidden = left === 0;
        more.textContent = t.more(Math.min(CARDS_STEP, left), left);
        fewer.hidden = shown === CARDS_SHOWN;
        if (focus && shown > before) list.children[before].querySelector('button').focus();
      };
      more.addEventListener('click', () => show(shown + CARDS_STEP, true));
      fewer.addEventListener('click', () => {
        show(CARDS_SHOWN, false);
        this.log.scrollTop = Math.max(0, section.offsetTop - 48);
        more.focus();
      });
      list.addEventListener('reveal', (e) => show(e.detail, false));
      section.append(more, fewer);
      show(CARDS_SHOWN, false);
      return section;
    }

    renderCard(c, hidden, t, spread) {
      const bodyId = nextId('task');
      const units = (xs) => (Array.isArray(xs) && xs.length ? xs.join('、') : '—');
      const links = h('p', { class: 'card-links' },
        h('a', { href: this.taskUrl(c.task_id, spread && c.doc_id), target: '_blank', rel: 'noopener' }, t.openTask,
          h('span', { class: 'clip' }, t.newWindow)));
      const plan = this.plan(c.doc_id);
      if (plan && plan.source_url) {
        links.append(h('a', { href: plan.source_url, target: '_blank', rel: 'noopener external' }, t.source,
          h('span', { class: 'clip' }, t.newWindow)));
      }
      const status = h('span', { class: 'action-status', role: 'status' });
      links.append(h('button', { class: 'link-btn cite-copy', type: 'button', onclick: async () => {
        const cite = this.citation(c);
        status.textContent = (await this.copyText(cite)) ? t.citeCopied(cite) : t.copyFailed;
      } }, t.copyCite), status);
      const body = h('div', { class: 'card-body', id: bodyId, hidden: true },
        h('p', { class: 'card-text', lang: 'zh-CN' }, c.text || ''),
        h('dl', { class: 'meta' },
          h('dt', null, t.responsible), h('dd', { lang: 'zh-CN' }, units(c.responsible_units)),
          c.benchmark ? [h('dt', null, t.benchmark), h('dd', { lang: 'zh-CN' }, c.benchmark)] : null),
        links);
      const toggle = h('button', { class: 'card-toggle', type: 'button', 'aria-expanded': 'false',
        'aria-controls': bodyId, onclick: () => {
          const open = toggle.getAttribute('aria-expanded') !== 'true';
          toggle.setAttribute('aria-expanded', String(open));
          body.hidden = !open;
        } },
        spread && h('span', { class: 'plan-name', lang: 'zh-CN' }, `《${c.short_title || c.doc_id}》`),
        h('span', { class: 'task-no' }, t.task(c.task_id)),
        h('span', { class: 'section', lang: 'zh-CN' }, c.section || ''),
        icon('chevron'));
      return h('li', { class: 'card', hidden, 'data-task-id': c.task_id, 'data-doc-id': c.doc_id },
        toggle,
        h('dl', { class: 'meta' },
          h('dt', null, t.lead), h('dd', { lang: 'zh-CN' }, units(c.lead_units)),
          h('dt', null, t.deadline), h('dd', { lang: 'zh-CN' }, c.deadline || '—')),
        body);
    }

    plan(docId) {
      return this.plans().find((p) => p.doc_id === docId) || null;
    }

    /** 伊党办发〔2022〕5号 第237条 — what staff paste into a document. */
    citation(c) {
      const plan = this.plan(c.doc_id);
      const doc = plan ? plan.doc_number || `《${plan.title}》` : c.short_title ? `《${c.short_title}》` : '';
      return `${doc}${doc ? ' ' : ''}第${c.task_id}条`;
    }

    renderActions(turn, index, t) {
      const status = h('span', { class: 'action-status', role: 'status' });
      const bar = h('div', { class: 'actions' });
      const rate = (rating) => h('button', {
        class: `icon-btn rate rate-${rating}`, type: 'button', 'aria-pressed': String(turn.rated === rating),
        disabled: Boolean(turn.rated),
        'aria-label': rating === 'up' ? t.up : t.down, title: rating === 'up' ? t.upTitle : t.downTitle,
        onclick: (e) => (rating === 'up' ? this.feedback(e.currentTarget, turn, index, 'up', null, status, t)
          : this.askReason(e.currentTarget, bar, turn, index, status, t)),
      }, icon('up'));
      bar.append(
        h('button', { class: 'icon-btn copy', type: 'button', 'aria-label': t.copy, title: t.copy,
          onclick: async () => { status.textContent = (await this.copyText(turn.a)) ? t.copied : t.copyFailed; } },
        icon('copy')),
        rate('up'), rate('down'), status);
      return bar;
    }

    /** Thumbs-down opens a reason box; sending it (with or without a reason) sends the feedback. */
    askReason(btn, bar, turn, index, status, t) {
      if (bar.querySelector('.reason')) { bar.querySelector('.reason textarea').focus(); return; }
      const id = nextId('reason');
      const box = h('textarea', { id, maxlength: '1000', rows: '2' });
      const form = h('form', { class: 'reason', onsubmit: (e) => {
        e.preventDefault();
        form.remove();
        this.feedback(btn, turn, index, 'down', box.value.trim() || null, status, t);
      } },
      h('label', { for: id }, t.reason), box,
      h('div', { class: 'reason-buttons' },
        h('button', { class: 'primary', type: 'submit' }, t.submit),
        h('button', { type: 'button', onclick: () => {
          form.remove();
          this.feedback(btn, turn, index, 'down', null, status, t);
        } }, t.skip)));
      bar.append(form);
      box.focus();
    }

    async feedback(btn, turn, index, rating, comment, status, t) {
      const buttons = btn.parentElement.querySelectorAll('.rate');
      buttons.forEach((b) => { b.disabled = true; });
      btn.setAttribute('aria-pressed', 'true');
      try {
        const res = await fetch(`${this.endpoint}/api/v1/feedback`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ session_id: this.sessionId, question: turn.q, answer: turn.a, rating, comment,
            doc_id: [...new Set(turn.meta.citations.map((c) => c.doc_id))] }),
          signal: AbortSignal.timeout ? AbortSignal.timeout(TIMEOUT_MS) : undefined,
        });
        if (!res.ok) throw await errorFrom(res);
        status.textContent = t.thanks;
        turn.rated = rating;
        if (this.turns[index] === turn) this.save();
      } catch (_) {
        btn.setAttribute('aria-pressed', 'false');
        buttons.forEach((b) => { b.disabled = false; });
        status.textContent = t.feedbackFailed;
      }
    }

    async copyText(text) {
      try {
        if (navigator.clipboard && window.isSecureContext) {
          await navigator.clipboard.writeText(text);
          return true;
        }
      } catch (_) { /* denied: fall back below */ }
      // Fallback for http:// pages and older browsers: a hidden textarea and execCommand('copy').
      const ta = h('textarea', { class: 'clip', readonly: true, 'aria-hidden': 'true', tabindex: '-1' });
      ta.value = text;
      this.shadowRoot.append(ta);
      ta.select();
      let ok = false;
      try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
      ta.remove();
      return ok;
    }

    renderError(bot, question, err) {
      const t = this.t;
      // fetch rejects with a TypeError when the network or server is unreachable.
      const kind = err instanceof ApiError ? err.kind : err instanceof TypeError ? 'network' : 'down';
      let msg;
      if (kind === 'rate') msg = t.rate(err.retryAfter);
      else if (kind === 'timeout') msg = t.timeout(TIMEOUT_MS / 1000);
      else if (kind === 'network') msg = t.network;
      else if (kind === 'disabled') msg = t.notEnabled;
      else if (kind === 'unknown_plan') msg = t.unknownPlan(this.pinned);
      else msg = t.down5;
      const parts = [h('p', { class: 'error-text' }, msg)];
      // The server's own message, when it says more than ours (never for 429: ours has the wait in it).
      if (err instanceof ApiError && err.message && kind !== 'rate' && kind !== 'unknown_plan') {
        parts.push(h('p', { class: 'error-detail' }, half(err.message, this.uiLang)));
      }
      bot.className = 'msg bot error';
      bot.setAttribute('role', 'alert');
      bot.setAttribute('lang', t.htmlLang);
      if (kind === 'unknown_plan') bot.classList.add('not-enabled');
      if (kind === 'disabled' || kind === 'unknown_plan') {
        bot.replaceChildren(...parts);
        return;
      }
      const retry = h('button', { class: 'retry', type: 'button', onclick: () => {
        if (!this.busy) this.run(question, bot);
      } }, t.retry);
      bot.replaceChildren(...parts, retry);
      if (kind === 'rate' && err.retryAfter > 0) {
        // Count down on the button itself; it becomes usable when the server says it may.
        let left = err.retryAfter;
        retry.disabled = true;
        retry.textContent = t.retryIn(left);
        const tick = setInterval(() => {
          left -= 1;
          if (left > 0 && retry.isConnected) {
            retry.textContent = t.retryIn(left);
          } else {
            clearInterval(tick);
            retry.disabled = false;
            retry.textContent = t.retry;
          }
        }, 1000);
      }
      this.keepHeadline();
    }
  }

  customElements.define(TAG, TaskqaWidget);

  // Auto-mount one widget per page for the <script> tag that loaded us, with its data-* options.
  const script = document.currentScript;
  const mount = () => {
    if (document.querySelector(TAG)) return;
    const el = document.createElement(TAG);
    el.setAttribute('endpoint', endpointOf(script));
    const options = { position: /^(left|right)$/, theme: /^(light|dark|auto)$/, accent: /./, stylesheet: /./,
      lang: /^(zh|en)/i, plan: /./ };
    for (const [name, ok] of Object.entries(options)) {
      const v = script ? (script.getAttribute('data-' + name) || '').trim() : '';
      if (v && ok.test(v)) el.setAttribute(name === 'lang' ? 'lang-hint' : name, v);
    }
    document.body.append(el);
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
