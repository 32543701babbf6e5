// The verification flow of a form: one step per pending field (steps.ts
// shows them), each code sent with 2004. The server matches a code
// against every live pending change of the entity, so after a 204 the
// entity is read again and the fields whose value changed are the ones
// confirmed (a code typed into the other field's box still confirms its
// own field). A refused code is wrong (try again: its error under the
// box), or its change is gone (expired, attempts used up, the value taken
// meanwhile: the step ends, and says why).

import type { Catalogue } from "../catalogue.js";
import type { JsonObject } from "../types.js";
import type { AccountClient, Answer } from "./client.js";
import { emit } from "./events.js";
import { sameJson } from "./fields.js";
import { Steps } from "./steps.js";
import type { Step, StepInput } from "./steps.js";
import type { WordKey } from "./strings.js";

export interface VerificationOptions {
  host: HTMLElement;
  prefix: string;
  client: AccountClient;
  catalogue: Catalogue;
  t: (key: WordKey, params?: Record<string, unknown>) => string;
  mayVerify: boolean;
  /** A top-level field's label. */
  label(name: string): string;
  /** A request is about to go out / its answer came: the form's answer line. */
  sending(): void;
  answered(answer: Answer): void;
  /** The catalogue's words for an answer. */
  words(answer: Answer): string;
  /** Reads the entity again and shows it: the data before and after. */
  reread(): Promise<{ before: JsonObject; after: JsonObject; entity: JsonObject }>;
  /** A write answered this version. */
  wrote(etag: string | null): void;
}

export class Verification {
  readonly steps: Steps;

  constructor(private readonly options: VerificationOptions) {
    this.steps = new Steps(options.prefix, options.t, { verify: (step, code) => void this.verify(step, code), resend: (step) => void this.resend(step) }, options.mayVerify);
  }

  /** A step per field a save sent a code for; answers the new steps. */
  add(inputs: readonly StepInput[]): Step[] {
    return this.steps.add(inputs);
  }

  /** 2004 with a code, for the step of `field` if given (`element.verify(code, field)`). */
  verifyCode(code: string, field?: string): Promise<Answer | null> {
    return this.verify(field === undefined ? undefined : this.steps.get(field), code);
  }

  /** 2004 with the code typed into a step. */
  async verify(step: Step | undefined, code: string): Promise<Answer | null> {
    const { host, client, catalogue, t } = this.options;
    if (!this.options.mayVerify) return null;
    this.options.sending();
    if (!emit(host, "pactum-verify", { field: step?.field ?? "", code })) return null;
    let answer: Answer;
    try {
      answer = await client.verify(code);
    } catch (error) {
      if (step) this.steps.fail(step, t("requestFailed", { error: describe(error) }));
      emit(host, "pactum-error", { during: "verify", error, field: step?.field });
      return null;
    }
    this.options.answered(answer);
    if (!answer.ok) {
      this.refused(step, answer);
      emit(host, "pactum-error", { during: "verify", answer, field: step?.field });
      return answer;
    }
    // The server matched the code against every pending change: a new read shows which one it applied.
    const { before, after, entity } = await this.options.reread();
    const changed = this.steps.fields.filter((field) => !sameJson(before[field], after[field]));
    const fields = changed.length > 0 ? changed : step ? [step.field] : [];
    for (const field of fields) this.steps.remove(field);
    this.steps.say(fields.map((field) => t("verified", { label: this.options.label(field) })).join(" ") || catalogue.message("204"));
    emit(host, "pactum-verified", { answer, fields, entity, pending: this.steps.fields });
    const next = (step && this.steps.get(step.field)) ?? this.steps.get(this.steps.fields[0] ?? "");
    if (next) next.input.focus();
    else this.steps.status.focus();
    return answer;
  }

  /** A step's "new code": the pending value sent again (200.1, or a cooldown to count down). */
  private async resend(step: Step): Promise<void> {
    const { host, client, t } = this.options;
    this.options.sending();
    let answer: Answer;
    try {
      answer = await client.update({ [step.field]: step.raw });
    } catch (error) {
      this.steps.fail(step, t("requestFailed", { error: describe(error) }));
      emit(host, "pactum-error", { during: "resend", error, field: step.field });
      return;
    }
    this.options.answered(answer);
    if (!answer.ok) {
      this.steps.fail(step, this.options.words(answer), answer.code);
      emit(host, "pactum-error", { during: "resend", answer, field: step.field });
      return;
    }
    this.options.wrote(answer.etag);
    const pending = answer.body?.pending?.find((entry) => entry.field === step.field);
    if (answer.code === "200.1") this.steps.reset(step, t("stepResent", { channel: channelWords(step.channel, t) }));
    else this.steps.wait(step, answer.retryAfter ?? pending?.retryAfter ?? 0);
    step.input.focus();
  }

  /** A refused code: wrong (try again), or the change is gone (expired, attempts used up, taken meanwhile). */
  private refused(step: Step | undefined, answer: Extract<Answer, { ok: false }>): void {
    const { catalogue, t } = this.options;
    const code = answer.code;
    const errors = answer.problem.errors ?? [];
    if ((code === "403.1" || code === "403.2") && step) {
      this.steps.remove(step.field);
      this.steps.say(t("cancelled", { label: step.label, message: catalogue.message(code) }));
      this.steps.status.focus();
    } else if (errors.length > 0) {
      const said = errors.map((error) => {
        const field = topLevel(error.pointer);
        this.steps.remove(field);
        return t("cancelled", { label: this.options.label(field), message: catalogue.fieldMessage(error).text });
      });
      this.steps.say(said.join(" "));
      this.steps.status.focus();
    } else if (code === "501.2" || code === "501.3") {
      this.steps.clear();
      this.steps.say(catalogue.message(code));
      this.steps.status.focus();
    } else if (step) {
      this.steps.fail(step, this.options.words(answer), code);
    }
  }
}

function channelWords(channel: string, t: VerificationOptions["t"]): string {
  return channel === "sms" || channel === "email" ? t(channel) : channel;
}

function topLevel(pointer: string): string {
  return (pointer.split("/")[1] ?? "").replaceAll("~1", "/").replaceAll("~0", "~");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
