/* Offline entry for the ward, on every page (no dependencies).
 *
 * - Registers the service worker (/sw.js), which keeps the app shell and recent pages.
 * - Forms marked `data-outbox` (the quick log, the ward tally, the data grid) get a fresh
 *   idempotency key (a UUID made here) in a hidden field. Submitted with no connection, the
 *   entry is kept in IndexedDB (the "outbox") instead, and listed as "waiting to send".
 * - The outbox is sent when the connection returns (the online event, each page load, and
 *   Background Sync where the browser has it). Each entry carries its key, so the server
 *   stores it once however often it arrives (a dropped response, two tabs, a retry).
 * - The server answers as it does a form: a redirect means stored; a page with messages means
 *   refused (validation, the patient-data guard, a conflict): the entry stays, marked "not
 *   saved" with the server's message, until its user fixes it (back into its form) or discards
 *   it. A refused CSRF token (400: the session changed while offline) is refreshed from the
 *   form's page and the entry sent once more.
 * - Entries belong to the user who made them; only theirs are shown or sent.
 * - Signing out empties the outbox and the saved pages (after a warning if entries wait).
 */
(function () {
  'use strict';

  const DB_NAME = 'pdsa-offline';
  const STORE = 'outbox';
  const meta = document.querySelector('meta[name="pdsa-user"]');
  const user = meta ? meta.content : '';
  let sending = false;

  if ('serviceWorker' in navigator && user) {  // signed in: signed out, nothing is kept
    navigator.serviceWorker.register('/sw.js', {scope: '/'}).catch(() => {});
    navigator.serviceWorker.addEventListener('message', (event) => {
      if (event.data === 'send-outbox') sendOutbox();
    });
  }

  function uuid() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /* ---- IndexedDB: one store of entries, keyed by their idempotency key ---- */
  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, {keyPath: 'key'});
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function withStore(mode, work) {
    const db = await openDb();
    try {
      return await new Promise((resolve, reject) => {
        const tx = db.transaction(STORE, mode);
        const result = work(tx.objectStore(STORE));
        tx.oncomplete = () => resolve(result && 'result' in result ? result.result : undefined);
        tx.onerror = () => reject(tx.error);
      });
    } finally {
      db.close();
    }
  }

  const allEntries = () => withStore('readonly', (s) => s.getAll())
    .then((all) => all.filter((e) => e.user === user).sort((a, b) => a.made - b.made));
  const putEntry = (entry) => withStore('readwrite', (s) => s.put(entry));
  const dropEntry = (key) => withStore('readwrite', (s) => s.delete(key));

  /* ---- Forms: a key per entry; offline, into the outbox ---- */
  function freshKey(form) {
    let field = form.querySelector('input[name="idempotency_key"]');
    if (!field) {
      field = document.createElement('input');
      field.type = 'hidden';
      field.name = 'idempotency_key';
      form.appendChild(field);
    }
    field.value = uuid();
  }

  document.querySelectorAll('form[data-outbox]').forEach(freshKey);

  document.addEventListener('submit', async (event) => {
    const form = event.target;
    if (form.matches('form[data-sign-out]')) return signOut(event, form);
    if (form.matches('form[data-online-only]') && !navigator.onLine) {
      // A file is never kept on the device: say so next to the form, send nothing.
      event.preventDefault();
      let note = form.querySelector('.offline-refusal');
      if (!note) {
        note = document.createElement('p');
        note.className = 'offline-refusal alert alert-warning';
        note.setAttribute('role', 'alert');
        form.prepend(note);
      }
      note.textContent = `You are offline: ${form.dataset.onlineOnly} can only be sent ` +
        'with a connection. Nothing was uploaded; what you chose is still here, so send it ' +
        'again when you are back online.';
      return;
    }
    if (!form.matches('form[data-outbox]') || navigator.onLine || !user) return;
    event.preventDefault();
    const fields = [];
    new FormData(form, event.submitter).forEach((value, name) => {
      if (name !== 'csrf_token') fields.push([name, String(value)]);
    });
    const key = form.querySelector('input[name="idempotency_key"]').value;
    const title = form.querySelector('input[name="title"]');  // the quick log's test
    const label = form.dataset.outbox + (title && title.value ? `: ${title.value}` : '');
    await putEntry({key, user, fields, made: Date.now(), state: 'waiting', message: '',
      label, action: form.action,
      page: location.pathname + location.search});
    if (form.dataset.outboxReset !== undefined) form.reset();
    freshKey(form);  // the next entry is another entry
    if (navigator.serviceWorker && navigator.serviceWorker.ready) {
      navigator.serviceWorker.ready.then((reg) => reg.sync && reg.sync.register('outbox'))
        .catch(() => {});
    }
    await render(`Kept on this device: ${label}. It will be sent when you are back online.`);
  });

  /* ---- Sending ---- */
  async function csrfToken(entry, fresh) {
    const here = document.querySelector('input[name="csrf_token"]');
    if (here && !fresh) return here.value;
    const response = await fetch(entry.page, {credentials: 'same-origin', cache: 'no-store'});
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const field = page.querySelector('input[name="csrf_token"]');
    if (!field) return '';
    // This page's forms get it too: theirs is as stale as the one just refused.
    document.querySelectorAll('input[name="csrf_token"]').forEach((mine) => { mine.value = field.value; });
    return field.value;
  }

  /* One entry to the server: 'stored', 'refused' (with entry.message set) or 'later'. */
  async function send(entry, retry) {
    let response;
    try {
      const body = new URLSearchParams(entry.fields);
      body.set('csrf_token', await csrfToken(entry, retry));
      body.set('idempotency_key', entry.key);
      response = await fetch(entry.action, {method: 'POST', body, credentials: 'same-origin',
        headers: {'Idempotency-Key': entry.key}});
    } catch (noConnection) {
      return 'later';
    }
    const landed = new URL(response.url);
    if (landed.pathname.startsWith('/auth/login')) {
      entry.message = 'Sign in again to send it.';
      return 'later';
    }
    if (response.redirected && response.ok) return 'stored';
    if (response.status === 400 && !retry) return send(entry, true);  // e.g. a stale CSRF token
    if (response.status >= 500) return 'later';
    entry.message = messages(await response.text()) || `The server refused it (${response.status}).`;
    return 'refused';
  }

  /* The messages a refused form shows beside its fields (and the page's alert). */
  function messages(html) {
    const page = new DOMParser().parseFromString(html, 'text/html');
    const found = Array.from(page.querySelectorAll('main .invalid-feedback, main .alert-danger'))
      .map((node) => node.textContent.trim()).filter(Boolean);
    if (!found.length && page.querySelector('main h1')) {  // an error page: its heading and reason
      found.push(page.querySelector('main h1').textContent.trim(),
        (page.querySelector('main h1 + p') || {textContent: ''}).textContent.trim());
    }
    return Array.from(new Set(found)).join(' ').trim();
  }

  async function sendOutbox() {
    if (sending || !navigator.onLine || !user) return;
    sending = true;
    let sent = 0;
    try {
      for (const entry of await allEntries()) {
        if (entry.state === 'refused') continue;
        const outcome = await send(entry, false);
        if (outcome === 'stored') {
          await dropEntry(entry.key);
          sent += 1;
        } else {
          entry.state = outcome === 'refused' ? 'refused' : 'waiting';
          await putEntry(entry);
          if (outcome === 'later') break;  // still no (usable) connection: try again later
        }
      }
    } finally {
      sending = false;
    }
    await render(sent ? `Sent ${sent} saved ${sent === 1 ? 'entry' : 'entries'}.` : '');
  }

  /* ---- The "waiting to send" list (in base.html: #outbox) ---- */
  async function render(announce) {
    const box = document.getElementById('outbox');
    if (!box || !user) return;
    const entries = await allEntries();
    const list = box.querySelector('#outbox-list');
    list.replaceChildren(...entries.map(item));
    box.hidden = entries.length === 0 && !announce;
    const waiting = entries.filter((e) => e.state !== 'refused').length;
    const status = [announce || ''];
    if (waiting) status.push(`${waiting} waiting to send.`);
    if (entries.length > waiting) status.push(`${entries.length - waiting} not saved: see below.`);
    box.querySelector('#outbox-status').textContent = status.join(' ').trim();
  }

  function item(entry) {
    const li = document.createElement('li');
    li.className = 'outbox-entry';
    const made = new Date(entry.made).toLocaleString('en-GB', {day: 'numeric', month: 'short',
      hour: '2-digit', minute: '2-digit'});
    const what = document.createElement('span');
    what.textContent = `${entry.label} (${made}): ` +
      (entry.state === 'refused' ? 'not saved. ' : 'waiting to send. ') + entry.message;
    li.appendChild(what);
    if (entry.state === 'refused') {
      const fix = document.createElement('a');
      fix.href = `${entry.page}#fix-${entry.key}`;
      fix.className = 'btn btn-sm btn-outline-primary ms-2';
      fix.textContent = 'Fix it';
      li.appendChild(fix);
    }
    const discard = document.createElement('button');
    discard.type = 'button';
    discard.className = 'btn btn-sm btn-outline-danger ms-2';
    discard.textContent = 'Discard';
    discard.setAttribute('aria-label', `Discard ${entry.label} of ${made}`);
    discard.addEventListener('click', async () => {
      await dropEntry(entry.key);
      await render(`Discarded: ${entry.label}.`);
    });
    li.appendChild(discard);
    return li;
  }

  /* "Fix it": the refused entry back in its form (same key), to correct and save again. */
  async function fixFromHash() {
    const match = location.hash.match(/^#fix-([0-9a-f-]{36})$/);
    if (!match || !user) return;
    const entry = (await allEntries()).find((e) => e.key === match[1]);
    const form = document.querySelector('form[data-outbox]');
    if (!entry || !form) return;
    for (const [name, value] of entry.fields) {
      form.querySelectorAll(`[name="${CSS.escape(name)}"]`).forEach((field) => {
        if (field.type === 'radio' || field.type === 'checkbox') field.checked = field.value === value;
        else if (field.type !== 'submit') field.value = value;
      });
    }
    form.querySelector('input[name="idempotency_key"]').value = entry.key;
    await dropEntry(entry.key);
    history.replaceState(null, '', location.pathname + location.search);
    await render(`Back in the form: ${entry.label}. The server said: ${entry.message}`);
  }

  /* ---- Signing out: nothing stays on the device ---- */
  async function clearDevice() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase(DB_NAME);
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (window.caches) await Promise.all((await caches.keys()).map((k) => caches.delete(k)));
  }

  async function signOut(event, form) {
    event.preventDefault();
    const waiting = user ? (await allEntries()).length : 0;
    if (waiting && !window.confirm(`${waiting} ${waiting === 1 ? 'entry has' : 'entries have'} ` +
        `not been sent. Signing out deletes ${waiting === 1 ? 'it' : 'them'} from this device. ` +
        'Sign out anyway?')) {
      await render('Not signed out: nothing was deleted.');
      return;
    }
    await clearDevice();
    form.submit();
  }

  window.addEventListener('online', sendOutbox);
  window.addEventListener('hashchange', fixFromHash);  // "Fix it" on the form's own page
  window.addEventListener('offline', () => render(''));
  fixFromHash().then(() => render('')).then(sendOutbox);
  // Tests and the curious: the outbox's entries, and a way to send them now.
  window.pdsaOutbox = {entries: allEntries, send: sendOutbox};
}());
