"use strict";
// The dashboard's behaviour: poll the control plane's JSON routes and render what they say.
// Every value from the server goes into the page through textContent, never as HTML: journal
// paths are whatever any caller sent.
(function () {
  const CONTROL = document.body.dataset.control;   // .../_mock of the sandbox this page belongs to
  const ROOT = document.body.dataset.root;         // the server's root, for links to other sandboxes
  const SANDBOX = document.body.dataset.sandbox;
  const JOURNAL_POLL_MS = 1000, CLOCK_POLL_MS = 2000, WORLD_POLL_MS = 5000;
  const JOURNAL_BACKLOG = 200, JOURNAL_MAX_ROWS = 500;
  const $ = (id) => document.getElementById(id);

  async function api(path, options) {
    const response = await fetch(CONTROL + path, { credentials: "same-origin", cache: "no-store", ...options });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch (e) { body = text; }
    if (response.status === 401) {
      showStatus("The control plane of this server needs its token: open " + location.pathname +
                 "?token=<token> (serve printed it at start). " + ((body && body.details) || ""));
    }
    return { status: response.status, ok: response.ok, body: body };
  }

  function showStatus(message) {
    const status = $("status");
    status.textContent = message || "";
    status.hidden = !message;
  }

  function cell(row, text, className) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : String(text);
    if (className) td.className = className;
    row.appendChild(td);
    return td;
  }

  function fillTable(tableId, items, columns, wrapped) {
    const body = document.querySelector("#" + tableId + " tbody");
    const key = JSON.stringify(items);
    if (body.dataset.key === key) return;  // unchanged: keep the DOM (and any selection) as it is
    body.dataset.key = key;
    body.replaceChildren();
    for (const item of items) {
      const row = document.createElement("tr");
      columns.forEach((column, index) => cell(row, column(item), (wrapped || []).includes(index) ? "wrap" : ""));
      body.appendChild(row);
    }
  }

  // -- clock ----------------------------------------------------------------------------
  function showClock(clock) {
    $("clock-now").textContent = clock.now;
    $("clock-now").dateTime = clock.now;
    const hours = clock.offsetSeconds / 3600;
    $("clock-offset").textContent = "(" + (hours >= 0 ? "+" : "") + hours.toFixed(1) + " h from real time)";
  }

  async function refreshClock() {
    const answer = await api("/clock");
    if (answer.ok) showClock(answer.body);
  }

  $("clock-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const hours = Number($("clock-hours").value);
    const answer = await api("/clock/advance", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ hours: hours }),
    });
    if (answer.ok) { showClock(answer.body); showStatus(""); }
    else if (answer.status !== 401) showStatus("The clock did not move: " + ((answer.body && answer.body.details) || answer.status));
  });

  // -- sandboxes, world, faults ---------------------------------------------------------
  async function refreshSandboxes() {
    const answer = await api("/sandboxes");
    if (!answer.ok) return;
    const list = $("sandboxes");
    const key = JSON.stringify(answer.body.sandboxes.map((s) => [s.name, s.scenario]));
    if (list.dataset.key === key) return;
    list.dataset.key = key;
    list.replaceChildren();
    for (const sandbox of answer.body.sandboxes) {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = ROOT + sandbox.prefix + "/_mock/dashboard";
      link.textContent = sandbox.name;
      item.appendChild(link);
      item.appendChild(document.createTextNode(" (" + sandbox.scenario + ")" + (sandbox.prefix ? " at " + sandbox.prefix : "")));
      if (sandbox.name === SANDBOX) item.className = "current";
      list.appendChild(item);
    }
  }

  async function refreshWorld() {
    const answer = await api("/state");
    if (!answer.ok) return;
    const world = answer.body;
    $("scenario-name").textContent = "scenario " + world.scenario;
    fillTable("business-units", world.businessUnits, [
      (u) => u.id, (u) => u.domain, (u) => u.displayName, (u) => u.plan, (u) => (u.partnerPermissions ? "on" : "off"),
      (u) => u.users.map((user) => user.email + " (" + user.role + ")").join(", "), (u) => u.locations, (u) => u.reviews,
    ], [5]);
    fillTable("partners", world.partners, [
      (p) => p.id, (p) => p.name, (p) => p.apiKey, (p) => p.apiSecret,
      (p) => p.users.map((user) => user.email).join(", "), (p) => p.redirectUris.join(" "),
    ], [4, 5]);
  }

  async function refreshFaults() {
    const answer = await api("/faults");
    const note = $("faults-note");
    if (answer.status === 404) {  // a server without fault injection: say so, keep polling the rest
      note.textContent = "Fault injection is not available on this server.";
      note.hidden = false;
      $("faults").hidden = true;
      return false;
    }
    if (!answer.ok) return true;
    const active = answer.body.rules.filter((rule) => rule.times === null || rule.times === undefined || rule.fired < rule.times);
    note.textContent = active.length ? "" : "No active fault rules.";
    note.hidden = active.length > 0;
    $("faults").hidden = active.length === 0;
    fillTable("faults", active, [
      (r) => r.id, (r) => r.method, (r) => r.path, (r) => describeEffect(r),
      (r) => r.fired + " / " + (r.times === null || r.times === undefined ? "any" : r.times),
      (r) => (r.probability === undefined ? 1 : r.probability),
    ], [2]);
    return true;
  }

  function describeEffect(rule) {
    const parts = [];
    if (rule.latencyMs) parts.push("+" + rule.latencyMs + " ms");
    if (rule.drop) parts.push("drop connection");
    if (rule.response) parts.push([rule.response.preset, rule.response.status].filter(Boolean).join(" "));
    return parts.join(", ");
  }

  // -- journal ----------------------------------------------------------------------------
  let lastSeq = null;

  function statusMatches(status, filter) {
    const tokens = filter.toLowerCase().split(/[\s,]+/).filter(Boolean);
    return !tokens.length || tokens.some((token) => String(status).startsWith(token.replace(/x+$/, "")));
  }

  function rowVisible(row) {
    const method = $("filter-method").value;
    const path = $("filter-path").value.trim().toLowerCase();
    return (!method || row.dataset.method === method) &&
           (!path || row.dataset.path.toLowerCase().includes(path)) &&
           statusMatches(row.dataset.status, $("filter-status").value);
  }

  function applyFilters() {
    const rows = document.querySelectorAll("#journal tbody tr");
    let shown = 0;
    for (const row of rows) {
      row.hidden = !rowVisible(row);
      if (!row.hidden) shown += 1;
    }
    $("journal-count").textContent = shown + " of " + rows.length + " shown";
  }

  function journalRow(entry) {
    const row = document.createElement("tr");
    row.dataset.seq = entry.seq;
    row.dataset.method = entry.method;
    row.dataset.path = entry.path;
    row.dataset.status = entry.status;
    const query = (entry.query || []).map((pair) => pair[0] + "=" + pair[1]).join("&");
    const who = entry.credentials || {};
    const caller = [who.clientKind, who.apikey || (who.bearer && who.bearer.clientId), who.bearer && who.bearer.status]
      .filter(Boolean).join(" ");
    const notes = [];
    if (entry.fault) notes.push("fault " + entry.fault.rule);
    if (entry.violations) notes.push(entry.violations.length + " contract violation(s)");
    if (entry.pid) notes.push("pid " + entry.pid);
    cell(row, entry.seq);
    cell(row, entry.time);
    cell(row, entry.method);
    cell(row, entry.path + (query ? "?" + query : ""), "wrap");
    cell(row, entry.status, "s" + String(entry.status).charAt(0));
    cell(row, caller);
    cell(row, notes.join("; "), "wrap");
    return row;
  }

  async function refreshJournal() {
    if ($("journal-pause").checked) return;
    if (lastSeq === null) {  // first call: only learn where the journal ends, then show its tail
      const head = await api("/journal?since=4611686018427387904&limit=1");
      if (!head.ok) return;
      lastSeq = Math.max(0, head.body.newestSeq - JOURNAL_BACKLOG);
    }
    const answer = await api("/journal?since=" + lastSeq + "&limit=" + JOURNAL_MAX_ROWS);
    if (!answer.ok) return;
    showStatus("");
    const body = document.querySelector("#journal tbody");
    if (answer.body.newestSeq < lastSeq) {  // cleared, reset or another world loaded: start over
      body.replaceChildren();
      lastSeq = 0;
      return refreshJournal();
    }
    for (const entry of answer.body.entries) {
      const row = journalRow(entry);
      row.hidden = !rowVisible(row);
      if (lastSeq > 0 || body.children.length) row.className = "fresh";
      body.insertBefore(row, body.firstChild);  // newest first
      lastSeq = entry.seq;
    }
    while (body.children.length > JOURNAL_MAX_ROWS) body.removeChild(body.lastChild);
    applyFilters();
  }

  for (const id of ["filter-method", "filter-path", "filter-status"]) {
    $(id).addEventListener("input", applyFilters);
  }
  $("journal-filters").addEventListener("submit", (event) => event.preventDefault());

  // -- polling: each poller waits for its previous call, so a slow server is never flooded --
  function every(ms, refresh) {
    const tick = async () => {
      let again = true;
      try { again = (await refresh()) !== false; } catch (error) { showStatus("The server did not answer: " + error); }
      if (again) setTimeout(tick, ms);
    };
    tick();
  }

  every(JOURNAL_POLL_MS, refreshJournal);
  every(CLOCK_POLL_MS, refreshClock);
  every(WORLD_POLL_MS, refreshWorld);
  every(WORLD_POLL_MS, refreshSandboxes);
  every(WORLD_POLL_MS, refreshFaults);
})();
