// Meter Management: suggest meters as the number is typed (debounced; text only, never HTML).
"use strict";
(function () {
  const input = document.getElementById("meter-search");
  const list = document.getElementById("suggestions");
  if (!input || !list) {
    return;
  }
  const DEBOUNCE_MS = 200;
  let timer = null;
  let latest = 0;

  function option(meter) {
    const li = document.createElement("li");
    li.setAttribute("role", "option");
    const link = document.createElement("a");
    link.href = "/meters/" + encodeURIComponent(meter.meter_number);
    link.textContent = meter.meter_number;
    const utility = document.createElement("span");
    utility.textContent = meter.utility || "Unassigned";
    li.append(link, " ", utility);
    return li;
  }

  function nothing(typed) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = "No meter number starts with " + typed;
    return li;
  }

  function ended() {
    const li = document.createElement("li");
    li.className = "session-ended";
    li.setAttribute("role", "alert");
    const link = document.createElement("a");
    link.href = "/login?next=" + encodeURIComponent("/meters?q=" + input.value.trim());
    link.textContent = "Sign in again";
    li.append("Your session has ended. ", link, " to go on searching.");
    return li;
  }

  async function suggest() {
    const typed = input.value.trim();
    const ticket = ++latest;
    if (!typed) {
      list.replaceChildren();
      return;
    }
    const response = await fetch("/api/meters?prefix=" + encodeURIComponent(typed), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    // A slower answer to an older prefix must not replace a newer one.
    if (ticket !== latest) {
      return;
    }
    if (response.status === 401) {
      list.replaceChildren(ended());
      return;
    }
    if (!response.ok) {
      return;
    }
    const body = await response.json();
    list.replaceChildren(...(body.meters.length ? body.meters.map(option) : [nothing(typed)]));
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(suggest, DEBOUNCE_MS);
  });
})();

// Provider health: figures refreshed in place every few seconds, charts every minute.
(function () {
  const asOf = document.getElementById("as-of");
  const table = document.getElementById("provider-health");
  if (!asOf || !table) {
    return;
  }
  const everyMs = 1000 * Number(asOf.dataset.refreshS || 5);
  let ticks = 0;

  function show(provider) {
    const row = table.querySelector('tr[data-provider-id="' + CSS.escape(provider.provider_id) + '"]');
    if (!row) {
      return;
    }
    for (const [field, text] of Object.entries(provider.display)) {
      const cell = row.querySelector('[data-field="' + field + '"]');
      if (cell) {
        cell.textContent = text;
      }
    }
  }

  async function refresh() {
    ticks += 1;
    const response = await fetch("/api/providers", { credentials: "same-origin" });
    if (response.status === 401) {
      asOf.textContent = "Your session has ended: sign in again to see current figures.";
      return;
    }
    if (!response.ok) {
      return;
    }
    const body = await response.json();
    body.providers.forEach(show);
    asOf.textContent = body.as_of_text;
    if (ticks % 12 === 0) {
      for (const img of document.querySelectorAll(".chart img")) {
        img.src = img.src.split("?")[0] + "?t=" + Date.now();
      }
    }
  }

  setInterval(refresh, everyMs);
})();
