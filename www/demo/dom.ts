// The demo's DOM helpers: the SDK's element builder, and typed lookups.

export { h, show } from "../sdk/form/dom.js";

/** The element with `id`, typed; throws when the page lacks it (a bug in index.html). */
export function byId<T extends HTMLElement>(id: string, type: new () => T): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`the page has no #${id} of the expected kind`);
  return element;
}
