// Activation memory page: a preset fills the architecture fields; editing one of them marks
// the preset Custom. Without this file the "Apply preset" button does the same on the server.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const form = document.querySelector("[data-activation-form]");
  const source = document.getElementById("preset-fields");
  if (!form || !source) return;
  const presets = JSON.parse(source.textContent);
  const select = form.elements.namedItem("preset");
  const applyButton = form.querySelector("[data-apply-preset]");
  if (applyButton) applyButton.hidden = true;
  const architectureFields = new Set(Object.keys(Object.values(presets)[0] || {}));

  // Runs on the select itself, before the change bubbles to the form where htmx listens,
  // so the request already carries the preset's values.
  select.addEventListener("change", () => {
    const fields = presets[select.value];
    if (!fields) return;
    for (const [name, value] of Object.entries(fields)) {
      const input = form.elements.namedItem(name);
      if (input) input.value = String(value);
    }
  });

  const markCustom = (event) => {
    if (architectureFields.has(event.target.name)) select.value = "custom";
  };
  form.addEventListener("input", markCustom);
  form.addEventListener("change", markCustom);
});
