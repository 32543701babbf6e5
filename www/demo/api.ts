// The server routes the demo page itself calls (docs/http-api.md): the
// demo setup's apps, entities and dev codes, and the contract list for the
// playground. The account routes are the `<pactum-form>` element's.

import type { CatalogueEntry, ContractDocument } from "../sdk/index.js";

export type { ContractDocument };

export interface DemoApp {
  name: string;
  key: string;
  permissions: string[];
  defaultContract: string;
  contracts: string[];
}

export interface DemoEntity {
  dpKeyid: number;
  status: string;
}

export interface DemoCode {
  entity: number;
  field: string;
  channel: string;
  recipient: string;
  code: string;
  sentAt: string;
}

export interface ContractSummary {
  id: string;
  title?: string;
  moduleSha256: string;
  module: "builtin" | "plugin";
}

export class Api {
  constructor(private readonly base: string = "") {}

  apps(): Promise<DemoApp[]> {
    return this.json("/demo/apps");
  }

  entities(): Promise<DemoEntity[]> {
    return this.json("/demo/entities");
  }

  /** The `log` sender's last codes, newest first. */
  codes(): Promise<DemoCode[]> {
    return this.json("/demo/codes");
  }

  contracts(): Promise<ContractSummary[]> {
    return this.json("/contracts");
  }

  contract(id: string): Promise<ContractDocument> {
    return this.json(`/contracts/${encodeURIComponent(id)}`);
  }

  catalogue(): Promise<CatalogueEntry[]> {
    return this.json("/catalogue");
  }

  private async json<T>(path: string): Promise<T> {
    const response = await fetch(this.base + path, { cache: "no-store" });
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }
}
