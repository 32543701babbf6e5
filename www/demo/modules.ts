// Contract modules the page has loaded, one per (module, contract), so that
// switching back and forth does not fetch and compile again.

import { Pactum } from "../sdk/index.js";
import type { Request } from "../sdk/index.js";
import type { ContractDocument } from "./api.js";
import { fieldSpecs } from "./schema.js";

const loaded = new Map<string, Promise<Pactum>>();

/** The module of a contract, with the contract loaded under its id. */
export function contractModule(contract: ContractDocument): Promise<Pactum> {
  const key = `${contract.moduleSha256}/${contract.id}/${JSON.stringify(contract.schema)}`;
  let pactum = loaded.get(key);
  if (!pactum) {
    pactum = Pactum.load({ moduleUrl: contract.moduleUrl, contract: contract.schema, reference: contract.id, warmup: warmupFor(contract) });
    pactum.catch(() => loaded.delete(key));
    loaded.set(key, pactum);
  }
  return pactum;
}

/** A module with no contract loaded, for calls that carry their own (the playground). */
export function bareModule(url: string): Promise<Pactum> {
  const key = `bare:${url}`;
  let pactum = loaded.get(key);
  if (!pactum) {
    pactum = Pactum.load({ moduleUrl: url });
    pactum.catch(() => loaded.delete(key));
    loaded.set(key, pactum);
  }
  return pactum;
}

/** Forgets a module whose hash the server no longer serves. */
export function forget(sha256: string): void {
  for (const [key, pactum] of loaded) {
    void pactum.then((module) => {
      if (module.sha256 === sha256) {
        loaded.delete(key);
        module.close();
      }
    });
  }
}

/** One mobile number per mobile field, so the first keystroke does not pay for libphonenumber's metadata. */
function warmupFor(contract: ContractDocument): Request[] {
  return fieldSpecs(contract.schema)
    .filter((spec) => spec.kind === "tel")
    .map((spec) => ({ operation: "validate", current: null, payload: { [spec.name]: "+4520123456" } }));
}
