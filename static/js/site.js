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

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-copy-link]").forEach(setupCopyLink);
  document.querySelectorAll("[data-copy-text]").forEach((button) => {
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
  });
});
