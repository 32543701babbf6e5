// Pactum's browser SDK: load any contract module (built-in or plugin)
// through the plain ABI of docs/abi.md, evaluate exactly as the server
// does, and word the answers through the shared error catalogue.

export { Pactum, errorsByPointer, hexSha256, payloadAt, utcToday } from "./pactum.js";
export type { LoadOptions, LoadTimings } from "./pactum.js";
export { LiveContract, MODULE_HEADER, ModuleChangeEvent, ModuleErrorEvent, moduleHash } from "./live.js";
export type { ContractDocument, LiveContractEventMap, LiveContractOptions } from "./live.js";
export { Catalogue, fill } from "./catalogue.js";
export { messages, en, da } from "./words.js";
export type { MessageTable } from "./words.js";
export type { CatalogueBindingsOptions, CatalogueEntry, CatalogueFetchOptions, FieldMessage } from "./catalogue.js";
export type { BaseUrl } from "./url.js";
export { ModuleError, ModuleHashError } from "./errors.js";
export type { ModuleErrorKind } from "./errors.js";
export { ABI_VERSION } from "./abi.js";
export { DEFAULT_BUDGET } from "./types.js";
export type {
  Budget,
  Call,
  CallContext,
  Decision,
  Failure,
  FieldError,
  Json,
  JsonObject,
  Loaded,
  Operation,
  Outcome,
  PendingChange,
  Request,
  UniqueClaim,
} from "./types.js";
export { PactumForm, definePactumForm } from "./form/element.js";
export type { PactumFormState } from "./form/element.js";
export type { PactumFormEventDetails, PactumFormEventMap } from "./form/events.js";
export type { Answer, AnswerBody, PendingAnswer, Problem } from "./form/client.js";
export type { DryRunMode } from "./form/dryrun.js";
export { humanise } from "./form/schema.js";
