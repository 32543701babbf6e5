// The server routes the demo uses (docs/http-api.md), typed.

import { MODULE_HEADER } from "../sdk/index.js";
import type { CatalogueEntry, ContractDocument, FieldError, JsonObject } from "../sdk/index.js";

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

/** A success body of 1001-1004. */
export interface AnswerBody {
  code: string;
  message: string;
  entity: JsonObject;
  pending?: { field: string; channel: string; expiresAt?: string; retryAfter?: number }[];
}

/** An `application/problem+json` body. */
export interface Problem {
  code: string;
  status: number;
  title: string;
  detail?: string;
  errors?: FieldError[];
}

export type Answer =
  | { ok: true; status: number; body: AnswerBody | null; etag: string | null; retryAfter: number | null; module: string | null }
  | { ok: false; status: number; problem: Problem; etag: string | null; retryAfter: number | null; module: string | null };

export class Api {
  /**
   * Called with every answer to a call that runs a contract's module, and
   * the contract's id (`null` for 2004, which names none), so the SDK can
   * notice a stale module from its `Pactum-Module` header.
   */
  onAnswer: (response: Response, contract: string | null) => void = () => {};

  constructor(private readonly base: string = "") {}

  apps(): Promise<DemoApp[]> {
    return this.json("/demo/apps");
  }

  entities(): Promise<DemoEntity[]> {
    return this.json("/demo/entities");
  }

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

  read(key: string, dpKeyid: number, contract: string): Promise<Answer> {
    return this.send("GET", `${entityPath(dpKeyid)}/data/${encodeURIComponent(contract)}`, contract, key);
  }

  update(key: string, dpKeyid: number, contract: string, payload: JsonObject, etag: string | null): Promise<Answer> {
    return this.send("PUT", `${entityPath(dpKeyid)}/data/${encodeURIComponent(contract)}`, contract, key, payload, etag);
  }

  verify(key: string, dpKeyid: number, code: string): Promise<Answer> {
    return this.send("POST", `${entityPath(dpKeyid)}/verify`, null, key, { code });
  }

  private async json<T>(path: string): Promise<T> {
    const response = await fetch(this.base + path);
    if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status}`);
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, contract: string | null, key: string, body?: JsonObject, etag?: string | null): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-Match"] = etag;
    const response = await fetch(this.base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const module = response.headers.get(MODULE_HEADER);
    this.onAnswer(response, contract);
    const meta = {
      status: response.status,
      etag: response.headers.get("ETag"),
      retryAfter: numberOrNull(response.headers.get("Retry-After")),
      module,
    };
    const text = await response.text();
    if (response.ok) return { ok: true, ...meta, body: text ? (JSON.parse(text) as AnswerBody) : null };
    let problem: Problem;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = { code: String(response.status), status: response.status, title: text || response.statusText };
    }
    return { ok: false, ...meta, problem };
  }
}

function entityPath(dpKeyid: number): string {
  return `/userentity/dp-keyid/${encodeURIComponent(String(dpKeyid))}`;
}

function numberOrNull(value: string | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}
