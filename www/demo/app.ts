// The demo page's entry: two views (the account form and the playground),
// chosen by the address's hash so that each can be linked and Back works.

import { Catalogue, definePactumForm } from "../sdk/index.js";
import { AccountView } from "./account.js";
import { Api } from "./api.js";
import { byId, show } from "./dom.js";
import { PlaygroundView } from "./playground.js";

const VIEWS = ["account", "playground"] as const;

async function main(): Promise<void> {
  definePactumForm();
  const api = new Api();
  const catalogue = new Catalogue(await api.catalogue());
  const account = new AccountView(api);
  const playground = new PlaygroundView(api, catalogue);
  const route = () => {
    const current = location.hash === "#playground" ? "playground" : "account";
    for (const view of VIEWS) {
      show(byId(`${view}-view`, HTMLElement), view === current);
      const link = byId(`${view}-link`, HTMLAnchorElement);
      if (view === current) link.setAttribute("aria-current", "page");
      else link.removeAttribute("aria-current");
    }
  };
  window.addEventListener("hashchange", route);
  route();
  await Promise.all([account.start(), playground.start()]);
  document.body.dataset["ready"] = "true";
}

main().catch((error: unknown) => {
  const status = document.getElementById("page-error");
  if (status) {
    status.hidden = false;
    status.textContent = `The page could not start: ${error instanceof Error ? error.message : String(error)}`;
  }
});
