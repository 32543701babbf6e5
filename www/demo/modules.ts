// Contract modules the page has loaded, so that switching back and forth
// does not fetch and compile again. A served contract is a `LiveContract`:
// the SDK swaps its module when an answer's `Pactum-Module` header names
// another one.

import { LiveContract, Pactum } from "../sdk/index.js";
import type { ContractDocument, Request } from "../sdk/index.js";
import { fieldSpecs } from "./schema.js";

const contracts = new Map<string, Promise<LiveContract>>();
const bare = new Map<string, Promise<Pactum>>();

/** The served contract `id` with its module, loaded under the id. */
export function liveContract(id: string): Promise<LiveContract> {
  let live = contracts.get(id);
  if (!live) {
    live = LiveContract.open({ id, warmup: warmupFor });
    live.catch(() => contracts.delete(id));
    contracts.set(id, live);
  }
  return live;
}

/**
 * Hands a server answer to the loaded contract it is about (or, for `null`,
 * to `fallback`), which reloads its module if the answer names another.
 */
export function observeAnswer(response: Response, contract: string | null, fallback: LiveContract | null): void {
  const live = contract === null ? (fallback ? Promise.resolve(fallback) : undefined) : contracts.get(contract);
  void live?.then((loaded) => loaded.observe(response)).catch(() => undefined);
}

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

/** One mobile number per mobile field, so the first keystroke does not pay for libphonenumber's metadata. */
function warmupFor(contract: ContractDocument): Request[] {
  return fieldSpecs(contract.schema)
    .filter((spec) => spec.kind === "tel")
    .map((spec) => ({ operation: "validate", current: null, payload: { [spec.name]: "+4520123456" } }));
}
