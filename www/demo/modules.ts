// Modules the playground has loaded without a contract (the calls carry
// their own), so that switching back and forth does not fetch and compile
// again. The account form's contracts are the `<pactum-form>` element's.

import { Pactum } from "../sdk/index.js";

const bare = new Map<string, Promise<Pactum>>();

/** A module with no contract loaded, for calls that carry their own (the playground). */
export function bareModule(url: string): Promise<Pactum> {
  let pactum = bare.get(url);
  if (!pactum) {
    pactum = Pactum.load({ moduleUrl: url });
    pactum.catch(() => bare.delete(url));
    bare.set(url, pactum);
  }
  return pactum;
}
