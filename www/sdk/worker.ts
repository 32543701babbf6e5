// The Web Worker that runs a contract module off the page's thread, so that
// the page can enforce a deadline: a call that runs too long is ended by
// terminating this worker (see runner.ts). Messages are described by
// `ToWorker` and `FromWorker`.

import { serializeError } from "./errors.js";
import type { SerializedModuleError } from "./errors.js";
import { Session } from "./session.js";
import type { Budget } from "./types.js";

export type ToWorker =
  | { kind: "start"; module: WebAssembly.Module; budget: Budget; load: Uint8Array | null }
  | { kind: "evaluate"; id: number; call: Uint8Array };

export type FromWorker =
  | { kind: "started"; loaded: Uint8Array | null; error?: undefined }
  | { kind: "started"; error: SerializedModuleError }
  | { kind: "evaluated"; id: number; output: Uint8Array; error?: undefined }
  | { kind: "evaluated"; id: number; error: SerializedModuleError };

/** The part of a dedicated worker's global scope this file uses (the DOM lib has no worker types). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;
let session: Session | null = null;
// Messages are handled one at a time, in order, even across awaits.
let queue: Promise<void> = Promise.resolve();

scope.onmessage = (event) => {
  queue = queue.then(() => handle(event.data));
};

async function handle(message: ToWorker): Promise<void> {
  if (message.kind === "start") {
    session = new Session(message.module, message.budget, message.load);
    try {
      const loaded = await session.start();
      scope.postMessage({ kind: "started", loaded });
    } catch (error) {
      scope.postMessage({ kind: "started", error: serializeError(error) });
    }
    return;
  }
  try {
    if (!session) throw new Error("the worker was not started");
    const output = await session.evaluate(message.call);
    scope.postMessage({ kind: "evaluated", id: message.id, output }, [output.buffer]);
  } catch (error) {
    scope.postMessage({ kind: "evaluated", id: message.id, error: serializeError(error) });
  }
}
