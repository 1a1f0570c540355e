/*
 * Task permalink page (/tasks/{id}, /tasks/{doc_id}/{id}): the copy-citation and print buttons. The page
 * reads and prints without this script; it only shows the buttons once they can work.
 */
(() => {
  'use strict';
  const tools = document.querySelector('.tools');
  if (!tools) return;
  const status = tools.querySelector('.status');
  const en = document.documentElement.lang === 'en';
  const say = (zh, english) => { status.textContent = en ? english : zh; };

  // The permalink prints in full (with the host), so a printed page says where it came from.
  const link = document.querySelector('.permalink');
  if (link) link.textContent = link.href;

  async function copy(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (_) { /* denied: fall back below */ }
    const ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'clip';
    document.body.append(ta);
    ta.select();
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (_) { ok = false; }
    ta.remove();
    return ok;
  }

  tools.querySelector('.copy').addEventListener('click', async (e) => {
    const source = document.getElementById(e.currentTarget.dataset.copy);
    const ok = await copy(source ? source.textContent : '');
    if (ok) say('已复制引用', 'Citation copied');
    else say('复制失败，请手动选择文字复制', 'Copy failed: select the text and copy it');
  });
  tools.querySelector('.print').addEventListener('click', () => window.print());
  tools.hidden = false;
})();
