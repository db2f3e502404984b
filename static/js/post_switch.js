// Data too large for an address: a form marked data-post-switch sends its fields by POST to the
// same URL, by itself, when they would make the address longer than data-max-url-bytes, or when
// a file is chosen (multipart). The server answers a POST exactly as a GET, but such a result
// has no link: the page says so in the result, and Copy link is hidden until a result is a
// permalink again. Progressive enhancement only: without this file the form's own "no link"
// button sends the same POST.
"use strict";

function chosenFile(form) {
  return [...form.querySelectorAll('input[type="file"]')].some((input) => input.files.length > 0);
}

// The address htmx would build for a GET: the path, "?", and every field as encodeURIComponent
// writes it (as htmx does), UTF-8 bytes counted (non-ASCII characters count once per byte).
function addressBytes(path, formData) {
  let bytes = path.length + 1;
  formData.forEach((value, name) => {
    if (typeof value !== "string") return; // an empty file input sends nothing by GET
    bytes += encodeURIComponent(name).length + encodeURIComponent(value).length + 2;
  });
  return bytes;
}

function showLinkState(form, permalink) {
  // site.js shows Copy link once it has wired it up; a POSTed result has no link to copy.
  const copy = form.querySelector("[data-copy-link]");
  if (copy) copy.hidden = !permalink;
  const note = document.getElementById("inputs-note");
  if (note) {
    note.dataset.permalinkText ??= note.textContent;
    note.textContent = permalink
      ? note.dataset.permalinkText
      : "Results update as you type. This data is too large for an address (or comes from a file), so it is sent in the request body: the result has no link. Nothing you enter is stored.";
  }
}

document.addEventListener("htmx:configRequest", (event) => {
  const form = event.detail.elt;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-post-switch")) return;
  const limit = Number(form.dataset.maxUrlBytes);
  const hasFile = chosenFile(form);
  const post =
    event.detail.verb === "post" || hasFile || addressBytes(event.detail.path, event.detail.formData) > limit;
  if (post) {
    event.detail.verb = "post";
    event.detail.useUrlParams = false;
    // htmx reads hx-encoding when it encodes the body, after this event: multipart for a file.
    form.setAttribute("hx-encoding", hasFile ? "multipart/form-data" : "application/x-www-form-urlencoded");
    if (!hasFile) event.detail.headers["Content-Type"] = "application/x-www-form-urlencoded";
  }
  form.dataset.posted = post ? "true" : "";
});

// After a swap, the address bar and Copy link match what was sent. htmx replaces the address
// with the POST's path alone, which opens the tool's defaults: the result says it has no link.
document.addEventListener("htmx:afterSwap", (event) => {
  const form = document.querySelector("form[data-post-switch]");
  if (form && event.detail.target && event.detail.target.id === "result") {
    showLinkState(form, form.dataset.posted !== "true");
  }
});

// A body over the server's cap is answered 413 with the tool's own error block (or, from the
// proxy, a bare page): show the server's block, or say the limit here.
document.addEventListener("htmx:beforeSwap", (event) => {
  if (event.detail.xhr.status !== 413) return;
  const form = document.querySelector("form[data-post-switch]");
  const text = event.detail.xhr.responseText || "";
  if (text.includes('data-testid="errors"')) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  } else if (form) {
    const mib = Number(form.dataset.maxBodyBytes) / 2 ** 20;
    event.detail.shouldSwap = false;
    event.detail.isError = false;
    const alert = document.createElement("div");
    alert.className = "errors";
    alert.setAttribute("role", "alert");
    alert.dataset.testid = "errors";
    alert.textContent = `file: the data is over the server's limit of ${mib} MiB for one request. Upload only the columns the tool reads, or fewer rows.`;
    event.detail.target.replaceChildren(alert);
  }
});

// On load, after site.js has shown Copy link on DOMContentLoaded.
window.addEventListener("load", () => {
  const form = document.querySelector("form[data-post-switch]");
  // A page answered to a POST (the no-JavaScript button, then JavaScript on) has no link either.
  if (form && document.querySelector('[data-testid="note-no-permalink"]')) {
    form.dataset.posted = "true";
    showLinkState(form, false);
  }
});
