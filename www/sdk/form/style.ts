// The form element's default look, adopted once into the document. Every
// selector is inside `:where()`, so it weighs nothing: any rule of the
// page wins, and the colours are custom properties a page may set
// (`--pactum-accent`, `--pactum-bad`, ...). Each colour pair meets WCAG AA
// (4.5:1) on white and on the soft background.

const CSS = `
:where(pactum-form) {
  --pf-accent: var(--pactum-accent, #1f5fbf);
  --pf-bad: var(--pactum-bad, #b0212e);
  --pf-ok: var(--pactum-ok, #1d6b3a);
  --pf-muted: var(--pactum-muted, #566072);
  --pf-line: var(--pactum-line, #8b95a5);
  --pf-soft: var(--pactum-soft, #f4f6f9);
  display: block;
}
:where(pactum-form) :where(.pf-field) { display: flex; flex-direction: column; margin-bottom: 0.9rem; }
:where(pactum-form) :where(.pf-field > label, legend) { font-weight: 600; margin-bottom: 0.25rem; }
:where(pactum-form) :where(.pf-field-checkbox) { flex-direction: row; flex-wrap: wrap; align-items: center; gap: 0.5rem; }
:where(pactum-form) :where(.pf-field-checkbox > .pf-hint, .pf-field-checkbox > .pf-error) { flex-basis: 100%; }
:where(pactum-form) :where(input, select, textarea) { font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--pf-line); border-radius: 4px; max-width: 100%; box-sizing: border-box; }
:where(pactum-form) :where(input[type="checkbox"]) { width: 1.2rem; height: 1.2rem; }
:where(pactum-form) :where(textarea) { font-family: ui-monospace, Menlo, monospace; font-size: 0.9rem; }
:where(pactum-form) :where(:focus-visible) { outline: 3px solid var(--pf-accent); outline-offset: 2px; }
:where(pactum-form) :where([aria-invalid="true"]:is(input, textarea)) { border-color: var(--pf-bad); box-shadow: 0 0 0 1px var(--pf-bad); }
:where(pactum-form) :where(.pf-locked input, .pf-locked textarea, input[readonly], textarea[readonly]) { background: var(--pf-soft); color: #3d4656; }
:where(pactum-form) :where(.pf-required) { color: var(--pf-bad); }
:where(pactum-form) :where(.pf-badge) { margin-left: 0.5rem; font-size: 0.75rem; font-weight: 600; text-transform: uppercase; letter-spacing: 0.03em; color: var(--pf-muted); border: 1px solid var(--pf-line); border-radius: 3px; padding: 0 0.3rem; }
:where(pactum-form) :where(.pf-hint) { margin: 0.2rem 0 0; color: var(--pf-muted); font-size: 0.9rem; }
:where(pactum-form) :where(.pf-error) { margin: 0.2rem 0 0; color: var(--pf-bad); font-size: 0.95rem; }
:where(pactum-form) :where(.pf-message) { display: block; }
:where(pactum-form) :where(.pf-text) { display: inline-block; }
:where(pactum-form) :where(.pf-text)::first-letter { text-transform: uppercase; }
:where(pactum-form) :where(fieldset) { border: 1px solid var(--pf-line); border-radius: 6px; padding: 0.75rem 1rem 0.25rem; margin: 0 0 0.9rem; min-width: 0; }
:where(pactum-form) :where(.pf-tags) { display: flex; flex-wrap: wrap; gap: 0.35rem; list-style: none; margin: 0 0 0.35rem; padding: 0; }
:where(pactum-form) :where(.pf-tag) { display: inline-flex; align-items: center; gap: 0.25rem; background: var(--pf-soft); border: 1px solid var(--pf-line); border-radius: 999px; padding: 0.1rem 0.6rem; }
:where(pactum-form) :where(.pf-tag-remove) { border: 0; background: none; font: inherit; font-size: 1.1rem; line-height: 1; cursor: pointer; color: var(--pf-muted); padding: 0 0.25rem; }
:where(pactum-form) :where(.pf-button) { font: inherit; padding: 0.5rem 1rem; border-radius: 4px; border: 1px solid var(--pf-accent); background: var(--pf-accent); color: #fff; cursor: pointer; }
:where(pactum-form) :where(.pf-secondary) { background: #fff; color: var(--pf-accent); }
:where(pactum-form) :where(.pf-button[aria-disabled="true"], .pf-button:disabled) { background: #e6e9ef; border-color: var(--pf-line); color: #3d4656; cursor: not-allowed; }
:where(pactum-form) :where(.pf-actions) { display: flex; flex-wrap: wrap; gap: 0.5rem; }
:where(pactum-form) :where(.pf-status) { color: var(--pf-muted); }
:where(pactum-form) :where(.pf-note, .pf-not-found) { padding: 0.75rem 1rem; border-radius: 6px; border-left: 4px solid var(--pf-muted); background: var(--pf-soft); margin: 0 0 1rem; }
:where(pactum-form) :where(.pf-not-found) { border-left-color: var(--pf-bad); }
:where(pactum-form) :where(.pf-answer) { padding: 0.6rem 0.8rem; border-radius: 6px; background: var(--pf-soft); margin: 1rem 0 0; }
:where(pactum-form) :where(.pf-code) { display: inline-block; font-weight: 700; padding: 0.05rem 0.5rem; border-radius: 4px; color: #fff; background: var(--pf-ok); }
:where(pactum-form) :where(.pf-code.pf-problem) { background: var(--pf-bad); }
:where(pactum-form) :where(.pf-errors) { color: var(--pf-bad); }
:where(pactum-form) :where(.pf-steps) { border: 2px solid var(--pf-accent); border-radius: 6px; padding: 0.25rem 1rem 0.75rem; margin-top: 1rem; }
:where(pactum-form) :where(.pf-steps-title) { font-weight: 700; font-size: 1.1rem; }
:where(pactum-form) :where(.pf-countdown) { font-weight: 600; }
/* Last, to win over the rules above: all of them weigh nothing. */
:where(pactum-form) :where(.pf-error:empty, .pf-errors:empty) { display: none; }
/* Live regions stay in the tree when empty (so that what is written into them is announced): no box instead. */
:where(pactum-form) :where(.pf-answer:empty, .pf-status:empty) { padding: 0; margin: 0; }
`;

let adopted = false;

/** Adds the element's default styles to `document` (once). */
export function adoptStyles(document: Document): void {
  if (adopted) return;
  adopted = true;
  if ("adoptedStyleSheets" in document && typeof CSSStyleSheet === "function" && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    // First, so that the page's own sheets come after it.
    document.adoptedStyleSheets = [sheet, ...document.adoptedStyleSheets];
  } else {
    const style = document.createElement("style");
    style.dataset["pactumForm"] = "";
    style.textContent = CSS;
    document.head.prepend(style);
  }
}
