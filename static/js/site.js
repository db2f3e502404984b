// Progressive enhancement only: every page works without this file.
"use strict";

function setupCopyLink(button) {
  const status = button.parentElement.querySelector("[data-copy-status]");
  button.hidden = false;
  button.addEventListener("click", async () => {
    const url = window.location.href;
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = "Link copied.";
    } catch {
      // Clipboard blocked (insecure origin, permissions): show the link to copy by hand.
      status.textContent = url;
    }
  });
}

function setupCopyText(button) {
  if (button.dataset.copyReady) return; // htmx:load can announce the same element twice
  button.dataset.copyReady = "true";
  button.hidden = false;
  button.addEventListener("click", async () => {
    const target = document.getElementById(button.dataset.copyText);
    try {
      await navigator.clipboard.writeText(target.textContent);
      button.textContent = "Copied";
    } catch {
      window.getSelection().selectAllChildren(target);
    }
  });
}

function setupCopyTextIn(root) {
  if (root.matches && root.matches("[data-copy-text]")) setupCopyText(root);
  root.querySelectorAll("[data-copy-text]").forEach(setupCopyText);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-link]").forEach(setupCopyLink);
  setupCopyTextIn(document);
});
// Copy buttons inside a live-updated result arrive with each swap, hidden until wired up.
document.addEventListener("htmx:load", (event) => setupCopyTextIn(event.detail.elt));

// The address bar follows each recompute (hx-replace-url), written here once. htmx itself
// (historyEnabled, off in base.html's htmx-config) would call history.replaceState twice per
// recompute, once before the swap to re-save the page's own address, and each call is a round
// trip to the browser process: about 30 ms per recompute in chromium on a loaded machine
// (bench/keystroke_bench.py). Nothing is pushed, so there is no in-page history to restore: the
// back button reloads an address from the server, as with htmx's empty history cache before.
document.addEventListener("htmx:replacedInHistory", (event) => {
  window.history.replaceState(null, "", event.detail.path);
});

// A recompute replaces the result; sections the reader opened (by id) stay open.
let openDetails = [];
document.addEventListener("htmx:beforeSwap", (event) => {
  openDetails = [...event.detail.target.querySelectorAll("details[open][id]")].map((d) => d.id);
});
document.addEventListener("htmx:afterSwap", () => {
  openDetails.forEach((id) => {
    const details = document.getElementById(id);
    if (details) details.open = true;
  });
  openDetails = [];
});

// A recompute that fails never swaps, so say so where the result is, instead of leaving the
// old numbers looking current. Over-long addresses (thousands of pasted values) are the usual
// cause: servers refuse request lines past about 8 KB.
function showRecomputeError(event, message) {
  const target = event.detail.target;
  if (!target) return;
  const alert = document.createElement("div");
  alert.className = "errors";
  alert.setAttribute("role", "alert");
  alert.dataset.testid = "recompute-error";
  alert.textContent = message;
  target.replaceChildren(alert);
}
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const tooLong = status === 414 || (status === 400 && window.location.href.length > 4000);
  showRecomputeError(
    event,
    tooLong
      ? "The server refused this address as too long. Use fewer values, or paste them in smaller batches."
      : `The server could not answer this recompute (status ${status}). Reload the page to try again.`,
  );
});
document.addEventListener("htmx:sendError", (event) =>
  showRecomputeError(event, "Could not reach the server. Check your connection and try again."),
);

// The phone's result summary is pinned to the foot of the layout viewport (site.css). Where an
// on-screen keyboard overlays the page instead of resizing it (iOS Safari), lift the summary
// to the foot of what is visible, so the answer stays in view while typing.
if (window.visualViewport) {
  const visible = window.visualViewport;
  const placeSummary = () => {
    const covered = window.innerHeight - visible.height - visible.offsetTop;
    document.documentElement.style.setProperty("--keyboard-inset", `${Math.max(0, covered)}px`);
  };
  visible.addEventListener("resize", placeSummary);
  visible.addEventListener("scroll", placeSummary);
}

// A control the reader moves into must not sit under that summary: the browser scrolls a
// focused control into view only when it is off screen (scroll-padding in site.css covers
// that case), not when the pinned summary covers part of it.
document.addEventListener("focusin", (event) => {
  const summary = document.querySelector(".result-summary");
  if (!summary || summary.contains(event.target)) return;
  if (getComputedStyle(summary).position !== "fixed") return;
  const covered = event.target.getBoundingClientRect().bottom - summary.getBoundingClientRect().top;
  if (covered > 0) window.scrollBy(0, covered + 8);
});

// A table wider than the screen scrolls sideways (site.css); make such a table a Tab stop so
// a keyboard can scroll it too. Checked again when a result is swapped in, a section opened,
// or the window resized.
function markScrollingTables() {
  document.querySelectorAll("table").forEach((table) => {
    if (table.scrollWidth > table.clientWidth) table.tabIndex = 0;
    else table.removeAttribute("tabindex");
  });
}
document.addEventListener("DOMContentLoaded", markScrollingTables);
document.addEventListener("htmx:afterSettle", markScrollingTables);
document.addEventListener("toggle", markScrollingTables, true);
window.addEventListener("resize", markScrollingTables);
