// The module's `abort`. AssemblyScript calls `abort` on a failed assertion,
// an index out of range or an allocation that memory cannot grow for; by
// default it would import `env.abort` from the host. Pactum defines every
// import as a trap and docs/abi.md asks for none, so `asconfig.json` points
// `abort` here (`"use": ["abort=assembly/trap/trap"]`) and the module traps
// in place: the host ends the call with `trap` and drops the instance.
// Malformed input never gets here: the JSON reader answers a failure.

export function trap(message: string | null, fileName: string | null, line: u32, column: u32): void {
  unreachable();
}
