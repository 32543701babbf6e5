// Verification steps: one per pending field. A write that changes verified
// fields (e-mail and mobile together, say) sends one code per field, and
// each gets a step of its own: the new value, a labelled code box, a
// Verify button and a "new code" button, its errors and a countdown. The
// server matches a code against every live pending change of the entity,
// so the element works out which field a 204 confirmed by reading the
// entity again (see element.ts); this file only shows the steps.

import type { Json } from "../types.js";
import { h, show } from "./dom.js";
import { errorLine } from "./fields.js";
import type { WordKey } from "./strings.js";

export interface StepInput {
  /** The top-level field, as the answer's `pending` names it. */
  field: string;
  label: string;
  channel: string;
  /** The value that waits for its code, as shown. */
  value: string;
  /** The value as the write sent it (sent again for a new code). */
  raw: Json;
  expiresAt?: string;
}

export interface Step extends StepInput {
  readonly element: HTMLFormElement;
  readonly input: HTMLInputElement;
  readonly errorBox: HTMLElement;
  readonly status: HTMLElement;
  readonly countdown: HTMLElement;
  stopCountdown: (() => void) | null;
}

export interface StepHandlers {
  verify(step: Step, code: string): void;
  resend(step: Step): void;
}

type Translate = (key: WordKey, params?: Record<string, unknown>) => string;

export class Steps {
  /** The whole block: a title, an intro, the steps and a live status line. */
  readonly element: HTMLElement;
  /** Where "E-mail is confirmed." and cancellations are announced. */
  readonly status: HTMLElement;
  private readonly list: HTMLElement;
  private readonly steps = new Map<string, Step>();

  constructor(
    private readonly prefix: string,
    private readonly t: Translate,
    private readonly handlers: StepHandlers,
    private readonly mayVerify: boolean,
  ) {
    const titleId = `${prefix}-steps-title`;
    this.list = h("div", { class: "pf-step-list" });
    this.status = h("p", { id: `${prefix}-steps-status`, class: "pf-status", role: "status", tabindex: "-1" });
    this.element = h(
      "section",
      { id: `${prefix}-steps`, class: "pf-steps", "aria-labelledby": titleId, hidden: true },
      h("p", { id: titleId, class: "pf-steps-title" }, t("stepsTitle")),
      h("p", { class: "pf-hint" }, t("stepsIntro")),
      mayVerify ? null : h("p", { class: "pf-note", role: "note" }, t("noVerify")),
      this.list,
    );
    // The status line stays outside the (hideable) block, so the last "confirmed" is still announced and seen.
  }

  /** The fields waiting for a code, in the order their steps were added. */
  get fields(): string[] {
    return [...this.steps.keys()];
  }

  get(field: string): Step | undefined {
    return this.steps.get(field);
  }

  /** Adds a step per pending field (a field already waiting gets its step renewed); answers the new steps. */
  add(inputs: readonly StepInput[]): Step[] {
    const made = inputs.map((input) => {
      this.remove(input.field);
      const step = this.build(input);
      this.steps.set(input.field, step);
      this.list.append(step.element);
      return step;
    });
    this.refresh();
    return made;
  }

  /** Ends a step (confirmed, cancelled, or renewed). */
  remove(field: string): void {
    const step = this.steps.get(field);
    if (!step) return;
    step.stopCountdown?.();
    step.element.remove();
    this.steps.delete(field);
    this.refresh();
  }

  clear(): void {
    for (const field of this.fields) this.remove(field);
    this.status.textContent = "";
  }

  /** Announces in the block's live status line (and keeps it readable there). */
  say(text: string): void {
    this.status.textContent = text;
  }

  /** An error under a step's code box, which takes focus. */
  fail(step: Step, text: string, code?: string): void {
    step.input.setAttribute("aria-invalid", "true");
    step.errorBox.replaceChildren(errorLine(text, code));
    step.input.focus();
  }

  /** Clears a step's error, e.g. when a new code was sent. */
  reset(step: Step, statusText?: string): void {
    step.input.removeAttribute("aria-invalid");
    step.input.value = "";
    step.errorBox.replaceChildren();
    if (statusText !== undefined) step.status.textContent = statusText;
  }

  /** "A new code can be requested in 1:58." in the step, counting down. */
  wait(step: Step, seconds: number): void {
    step.stopCountdown?.();
    step.stopCountdown = countdown(step.countdown, seconds, this.t);
  }

  private refresh(): void {
    show(this.element, this.steps.size > 0);
  }

  private build(input: StepInput): Step {
    const id = `${this.prefix}-step-${input.field.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const channel = input.channel === "sms" || input.channel === "email" ? this.t(input.channel) : input.channel;
    const code = h("input", {
      id: `${id}-code`,
      name: "code",
      type: "text",
      inputmode: "numeric",
      autocomplete: "one-time-code",
      "aria-describedby": `${id}-status ${id}-error`,
      disabled: !this.mayVerify,
    });
    const errorBox = h("p", { id: `${id}-error`, class: "pf-error" });
    const status = h("p", { id: `${id}-status`, class: "pf-hint" }, this.t("stepSent", { channel, value: input.value }));
    const timer = h("p", { id: `${id}-countdown`, class: "pf-countdown", role: "timer", "aria-live": "off", hidden: true });
    const resend = h("button", { type: "button", id: `${id}-resend`, class: "pf-button pf-secondary" }, this.t("resend", { label: input.label }));
    const element = h(
      "form",
      { id, class: "pf-step", novalidate: true, "data-field": input.field },
      h(
        "fieldset",
        {},
        h("legend", {}, this.t("stepLegend", { label: input.label })),
        status,
        h("div", { class: "pf-field" }, h("label", { for: `${id}-code` }, this.t("codeLabel", { label: input.label })), code, errorBox),
        h(
          "div",
          { class: "pf-actions" },
          h("button", { type: "submit", id: `${id}-verify`, class: "pf-button", disabled: !this.mayVerify }, this.t("verify", { label: input.label })),
          resend,
        ),
        timer,
      ),
    );
    const step: Step = { ...input, element, input: code, errorBox, status, countdown: timer, stopCountdown: null };
    element.addEventListener("submit", (event) => {
      event.preventDefault();
      const value = code.value.trim();
      if (!value) this.fail(step, this.t("enterCode"));
      else this.handlers.verify(step, value);
    });
    resend.addEventListener("click", () => this.handlers.resend(step));
    return step;
  }
}

/** Counts `seconds` down in `element` ("in 1:58"), then says a new code may be asked for; answers a stop function. */
export function countdown(element: HTMLElement, seconds: number, t: Translate): () => void {
  const until = Date.now() + seconds * 1000;
  let timer: ReturnType<typeof setInterval> | null = null;
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  const tick = () => {
    const left = Math.max(0, Math.ceil((until - Date.now()) / 1000));
    element.textContent = left > 0 ? t("countdown", { time: `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` }) : t("countdownDone");
    if (left === 0) stop();
  };
  tick();
  show(element, true);
  timer = setInterval(tick, 1000);
  return () => {
    stop();
    show(element, false);
  };
}
