// Where a module's instance runs. In a browser, a Web Worker: a call past
// its deadline is ended by terminating the worker, and the next call starts
// a fresh one. Where there is no Worker (node, old runtimes), on the calling
// thread: the input, output and memory limits still hold, the deadline
// cannot (a synchronous wasm call cannot be interrupted from the same thread).

import { ModuleError, deserializeError } from "./errors.js";
import { Session } from "./session.js";
import type { Budget } from "./types.js";
import type { FromWorker, ToWorker } from "./worker.js";

export interface Runner {
  /** Starts an instance (and loads the contract): answers the `loaded` outcome bytes. */
  start(): Promise<Uint8Array | null>;
  /** Runs one `Call` given as JSON bytes; answers the outcome bytes. */
  evaluate(call: Uint8Array): Promise<Uint8Array>;
  /** Frees the instance (terminates the worker). */
  close(): void;
}

export class InlineRunner implements Runner {
  private readonly session: Session;

  constructor(module: WebAssembly.Module, budget: Budget, load: Uint8Array | null) {
    this.session = new Session(module, budget, load);
  }

  start(): Promise<Uint8Array | null> {
    return this.session.start();
  }

  evaluate(call: Uint8Array): Promise<Uint8Array> {
    return this.session.evaluate(call);
  }

  close(): void {}
}

interface Waiting {
  resolve(output: Uint8Array): void;
  reject(error: ModuleError): void;
  timer: ReturnType<typeof setTimeout>;
}

export class WorkerRunner implements Runner {
  private worker: Worker | null = null;
  private started: Promise<Uint8Array | null> | null = null;
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly budget: Budget,
    private readonly load: Uint8Array | null,
    private readonly workerUrl: URL,
  ) {}

  start(): Promise<Uint8Array | null> {
    if (this.started) return this.started;
    const worker = new Worker(this.workerUrl, { type: "module", name: "pactum-module" });
    this.worker = worker;
    const started = new Promise<Uint8Array | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.reset(new ModuleError("timeout", `the module did not start within ${this.budget.deadlineMs} ms`));
        reject(new ModuleError("timeout", `the module did not start within ${this.budget.deadlineMs} ms`));
      }, this.budget.deadlineMs);
      worker.onmessage = (event: MessageEvent<FromWorker>) => {
        const message = event.data;
        if (message.kind === "started") {
          clearTimeout(timer);
          if (message.error) {
            this.reset(deserializeError(message.error));
            reject(deserializeError(message.error));
          } else {
            resolve(message.loaded);
          }
        } else {
          this.settle(message);
        }
      };
      worker.onerror = (event) => {
        clearTimeout(timer);
        const error = new ModuleError("instantiate", `the module worker failed: ${event.message}`);
        this.reset(error);
        reject(error);
      };
    });
    this.started = started;
    const message: ToWorker = { kind: "start", module: this.module, budget: this.budget, load: this.load };
    worker.postMessage(message);
    return started;
  }

  async evaluate(call: Uint8Array): Promise<Uint8Array> {
    await this.start();
    const worker = this.worker;
    if (!worker) throw new ModuleError("instantiate", "the module worker is gone");
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The only way to stop a running wasm call: end its thread.
        this.reset(new ModuleError("timeout", `the call did not finish within ${this.budget.deadlineMs} ms`));
      }, this.budget.deadlineMs);
      this.waiting.set(id, { resolve, reject, timer });
      const message: ToWorker = { kind: "evaluate", id, call };
      worker.postMessage(message);
    });
  }

  close(): void {
    this.reset(new ModuleError("instantiate", "the module was closed"));
  }

  private settle(message: Extract<FromWorker, { kind: "evaluated" }>): void {
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.error) waiting.reject(deserializeError(message.error));
    else waiting.resolve(message.output);
  }

  /** Terminates the worker and fails every call waiting on it; the next call starts a new worker. */
  private reset(error: ModuleError): void {
    this.worker?.terminate();
    this.worker = null;
    this.started = null;
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
    }
    this.waiting.clear();
  }
}
