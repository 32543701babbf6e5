// The form element's own words (its buttons, notes and statuses), in the
// languages Pactum ships. Error texts are not here: they are the
// catalogue's (`catalogue.fieldMessage(error).text`, `catalogue.message(code)`).

import { fill } from "../catalogue.js";

const en = {
  formLabel: "Account",
  loading: "Loading the form…",
  loadFailed: "The form could not be loaded: {error}",
  save: "Save changes",
  saving: "Saving…",
  readOnlyBadge: "read-only",
  readOnlyHint: "Shown, not changeable through this contract.",
  readOnlyNote: "Read-only: this app has no update permission, so the entity can be viewed but not changed.",
  tagPlaceholder: "Type a tag, press Enter",
  tagsCurrent: "{label}: current tags",
  removeTag: "Remove {tag}",
  problemsOne: "1 problem to fix before saving.",
  problemsMany: "{count} problems to fix before saving.",
  noChanges: "No changes yet.",
  nothingToSave: "There are no changes to save.",
  ready: "Ready to save: {fields}.",
  notFound: "Not found: there is no entity {entity} ({message}).",
  moduleFailed: "The contract module failed ({kind}); the server will decide.",
  requestFailed: "The request failed: {error}",
  stepsTitle: "Changes to confirm",
  stepsIntro: "Each change below waits for the code sent for it; its new value is saved once the code is entered.",
  stepLegend: "Confirm {label}",
  stepSent: "A code was sent by {channel} to confirm the new value {value}.",
  stepResent: "A new code was sent by {channel}.",
  codeLabel: "Code for {label}",
  verify: "Verify {label}",
  enterCode: "Enter the code that was sent.",
  verified: "{label} is confirmed.",
  resend: "Send a new code for {label}",
  countdown: "A new code can be requested in {time}.",
  countdownDone: "A new code can be requested now.",
  cancelled: "{label}: the change was cancelled ({message}).",
  noVerify: "This app may not verify (no verify permission): the code has to be entered elsewhere.",
  sms: "SMS",
  email: "e-mail",
};

export type Words = typeof en;
export type WordKey = keyof Words;

const da: Words = {
  formLabel: "Konto",
  loading: "Indlæser formularen…",
  loadFailed: "Formularen kunne ikke indlæses: {error}",
  save: "Gem ændringer",
  saving: "Gemmer…",
  readOnlyBadge: "skrivebeskyttet",
  readOnlyHint: "Vises, men kan ikke ændres gennem denne kontrakt.",
  readOnlyNote: "Skrivebeskyttet: appen har ikke tilladelse til at opdatere, så kontoen kan ses, men ikke ændres.",
  tagPlaceholder: "Skriv et emne, tryk Enter",
  tagsCurrent: "{label}: nuværende emner",
  removeTag: "Fjern {tag}",
  problemsOne: "1 problem skal rettes, før der kan gemmes.",
  problemsMany: "{count} problemer skal rettes, før der kan gemmes.",
  noChanges: "Ingen ændringer endnu.",
  nothingToSave: "Der er ingen ændringer at gemme.",
  ready: "Klar til at gemme: {fields}.",
  notFound: "Findes ikke: der er ingen konto {entity} ({message}).",
  moduleFailed: "Kontraktmodulet fejlede ({kind}); serveren afgør det.",
  requestFailed: "Forespørgslen mislykkedes: {error}",
  stepsTitle: "Ændringer, der skal bekræftes",
  stepsIntro: "Hver ændring herunder venter på den kode, der blev sendt for den; den nye værdi gemmes, når koden er indtastet.",
  stepLegend: "Bekræft {label}",
  stepSent: "Der er sendt en kode via {channel} for at bekræfte den nye værdi {value}.",
  stepResent: "Der er sendt en ny kode via {channel}.",
  codeLabel: "Kode for {label}",
  verify: "Bekræft {label}",
  enterCode: "Indtast den kode, der blev sendt.",
  verified: "{label} er bekræftet.",
  resend: "Send en ny kode for {label}",
  countdown: "Der kan bedes om en ny kode om {time}.",
  countdownDone: "Der kan bedes om en ny kode nu.",
  cancelled: "{label}: ændringen blev annulleret ({message}).",
  noVerify: "Appen må ikke bekræfte (ingen tilladelse til at bekræfte): koden skal indtastes et andet sted.",
  sms: "sms",
  email: "e-mail",
};

const TABLES: Record<string, Words> = { en, da };

/** The languages the element speaks. */
export const LANGUAGES = Object.keys(TABLES);

/** The element's words in `language`, with `{name}` placeholders filled. */
export function words(language: string): (key: WordKey, params?: Record<string, unknown>) => string {
  const table = TABLES[language] ?? en;
  return (key, params = {}) => fill(table[key], params);
}

/** `da-DK` -> `da`; a language Pactum does not ship -> `en`. */
export function shippedLanguage(tag: string | null | undefined): string {
  const primary = (tag ?? "").trim().toLowerCase().split("-")[0] ?? "";
  return primary in TABLES ? primary : "en";
}
