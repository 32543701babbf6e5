// The account routes the form element calls (docs/http-api.md): read
// (1002), update (1003, and its dry run), verify (2004). Every answer is
// typed, problems too, and handed to the LiveContract so a stale module
// is noticed from its `Pactum-Module` header.

import type { LiveContract } from "../live.js";
import type { FieldError, JsonObject } from "../types.js";
import { resolveUrl } from "../url.js";
import type { BaseUrl } from "../url.js";

/** Where the entity is: its dp-keyid, or an external key of a type. */
export type EntityRef = { dpKeyid: string } | { extKey: string; extType: string };

/** A success body of 1001-1004. */
export interface AnswerBody {
  code: string;
  message: string;
  entity: JsonObject;
  pending?: PendingAnswer[];
}

/** One verified field a write asked to change (`pending` of 200.1-200.3). */
export interface PendingAnswer {
  field: string;
  channel: string;
  expiresAt?: string;
  retryAfter?: number;
}

/** An `application/problem+json` body. */
export interface Problem {
  code: string;
  status: number;
  title: string;
  detail?: string;
  errors?: FieldError[];
}

interface AnswerMeta {
  status: number;
  /** The sub code: the body's `code`, else the status (`204`). */
  code: string;
  etag: string | null;
  retryAfter: number | null;
  /** `Pactum-Dry-Run: true`: the server only said what the write would answer. */
  dryRun: boolean;
}

/** A server answer: a success with its body (none for 204), or a problem. */
export type Answer = (AnswerMeta & { ok: true; body: AnswerBody | null }) | (AnswerMeta & { ok: false; problem: Problem });

export class AccountClient {
  constructor(
    private readonly baseUrl: BaseUrl | undefined,
    private readonly live: LiveContract,
    private readonly apiKey: string,
    private readonly entity: EntityRef,
    private readonly language: string,
  ) {}

  /** 1002 through the contract. */
  read(): Promise<Answer> {
    return this.send("GET", `${this.path()}/data/${encodeURIComponent(this.live.id)}`);
  }

  /** 1003 through the contract; with `dryRun`, `?dryRun=true`: the same answer, nothing committed. */
  update(payload: JsonObject, options: { etag?: string | null; dryRun?: boolean } = {}): Promise<Answer> {
    const query = options.dryRun ? "?dryRun=true" : "";
    return this.send("PUT", `${this.path()}/data/${encodeURIComponent(this.live.id)}${query}`, payload, options.etag);
  }

  /** 2004: the code for a pending change (or an unverified entity). */
  verify(code: string): Promise<Answer> {
    return this.send("POST", `${this.path()}/verify`, { code });
  }

  private path(): string {
    const entity = this.entity;
    return "dpKeyid" in entity
      ? `/userentity/dp-keyid/${encodeURIComponent(entity.dpKeyid)}`
      : `/userentity/ext-key/${encodeURIComponent(entity.extKey)}/${encodeURIComponent(entity.extType)}`;
  }

  private async send(method: string, path: string, body?: JsonObject, etag?: string | null): Promise<Answer> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.apiKey}`, "Accept-Language": this.language };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (etag) headers["If-Match"] = etag;
    const url = resolveUrl(path, this.baseUrl, "<pactum-form>");
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: "no-store" });
    // 2004 names no contract, but its answer is about this entity's: the same module.
    void this.live.observe(response);
    const text = await response.text();
    const meta = {
      status: response.status,
      etag: response.headers.get("ETag"),
      retryAfter: numberOrNull(response.headers.get("Retry-After")),
      dryRun: response.headers.get("Pactum-Dry-Run")?.trim().toLowerCase() === "true",
    };
    if (response.ok) {
      const parsed = text ? (JSON.parse(text) as AnswerBody) : null;
      return { ok: true, ...meta, code: parsed?.code ?? String(response.status), body: parsed };
    }
    let problem: Problem;
    try {
      problem = JSON.parse(text) as Problem;
    } catch {
      problem = { code: String(response.status), status: response.status, title: text || response.statusText };
    }
    return { ok: false, ...meta, code: problem.code, problem };
  }
}

function numberOrNull(value: string | null): number | null {
  if (value === null) return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/**
 * Whether the server takes `?dryRun=true` on 1003: its OpenAPI document
 * lists a `dryRun` query parameter on a PUT of `/userentity/...`. A server
 * without the switch would ignore it and commit, so the form never sends a
 * dry run unless the server says it has one. Asked once per server.
 */
export function supportsDryRun(baseUrl: BaseUrl | undefined): Promise<boolean> {
  const url = resolveUrl("/openapi.json", baseUrl, "<pactum-form>").href;
  let known = dryRunSupport.get(url);
  if (!known) {
    known = fetch(url)
      .then(async (response) => (response.ok ? listsDryRun(await response.json()) : false))
      .catch(() => false);
    dryRunSupport.set(url, known);
  }
  return known;
}

const dryRunSupport = new Map<string, Promise<boolean>>();

interface Parameter {
  name?: string;
  in?: string;
}

function listsDryRun(document: unknown): boolean {
  const paths = (document as { paths?: Record<string, { parameters?: Parameter[]; put?: { parameters?: Parameter[] } }> } | null)?.paths ?? {};
  return Object.entries(paths).some(
    ([path, item]) =>
      path.startsWith("/userentity/") &&
      item.put !== undefined &&
      [...(item.parameters ?? []), ...(item.put.parameters ?? [])].some((parameter) => parameter.name === "dryRun" && parameter.in === "query"),
  );
}
