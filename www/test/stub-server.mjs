// A stand-in for `pactum serve` while developing the page without the Rust
// server: the routes of docs/http-api.md the demo uses, in memory, deciding
// with the same module through the SDK (inline). Not used by the tests,
// which run the real server; `www/bench/browser.mjs` uses it to serve files.
//
// usage: node test/stub-server.mjs [port]   (prints `listening on http://127.0.0.1:PORT`)
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { createHash, randomInt } from "node:crypto";
import { extname, join, normalize } from "node:path";
import { pathToFileURL } from "node:url";

const www = new URL("..", import.meta.url).pathname;
const pkg = join(www, "..", "target", "wasm");
const { Pactum, Catalogue } = await import(pathToFileURL(join(www, "dist", "sdk", "index.js")).href);
const glue = await import(pathToFileURL(join(pkg, "pactum_wasm.js")).href);
glue.initSync({ module: await readFile(join(pkg, "pactum_wasm_bg.wasm")) });
const catalogue = glue.catalogue();
const messages = new Catalogue(catalogue);

const contracts = {};
for (const [id, file, module] of [
  ["profile", join(www, "..", "host", "demo", "profile.json"), "pactum_wasm_bg.wasm"],
  ["loyalty", join(www, "..", "plugins", "loyalty", "contract.json"), "loyalty.wasm"],
]) {
  const bytes = await readFile(join(pkg, module));
  const schema = JSON.parse(await readFile(file, "utf8"));
  const sha = createHash("sha256").update(bytes).digest("hex");
  contracts[id] = { id, schema, bytes, sha, module: id === "profile" ? "builtin" : "plugin", pactum: await Pactum.load({ bytes, contract: schema, reference: id, isolation: "inline" }) };
}
const KEY = "demo-webshop-key";
const entities = new Map([
  [1, { status: "active", data: { id: 1001, name: "Ann Hansen", email: "ann@example.com", mobile: "+4520123456", password: "secret" }, pending: [] }],
  [2, { status: "active", data: { id: 1002, name: "Bo Berg", email: "bo@example.com", cardNumber: "79927398713", memberSince: "2020-01-01" }, pending: [] }],
]);
const codes = [];
const TYPES = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".wasm": "application/wasm", ".json": "application/json", ".map": "application/json" };

const json = (res, status, body, headers = {}) => {
  res.writeHead(status, { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers });
  res.end(JSON.stringify(body));
};
const problem = (res, code, errors = [], headers = {}) => {
  const entry = catalogue.find((candidate) => candidate.code === code);
  json(res, entry?.status ?? 500, { type: `urn:pactum:code:${code}`, status: entry?.status, code, title: entry?.message ?? code, errors }, headers);
};
const view = (contract, entity) => {
  const shown = { dpKeyid: entity.dpKeyid };
  for (const name of Object.keys(contract.schema.properties)) if (entity.data[name] !== undefined) shown[name] = entity.data[name];
  return shown;
};
const body = (req) => new Promise((resolve) => {
  let text = "";
  req.on("data", (chunk) => (text += chunk));
  req.on("end", () => resolve(text ? JSON.parse(text) : null));
});

async function account(req, res, dpKeyid, contractId, verify) {
  if (req.headers.authorization !== `Bearer ${KEY}`) return problem(res, "401");
  const entity = entities.get(dpKeyid);
  if (!entity) return problem(res, "404.1");
  entity.dpKeyid = dpKeyid;
  if (verify) {
    const { code } = await body(req);
    const pending = entity.pending.find((change) => change.code === code);
    if (!pending) return problem(res, "403");
    entity.data[pending.field] = pending.value;
    entity.pending = [];
    res.writeHead(204).end();
    return;
  }
  const contract = contracts[contractId ?? "profile"];
  if (!contract) return problem(res, "404.3");
  const headers = { ETag: '"1"', "Pactum-Module": contract.sha };
  if (req.method === "GET") return json(res, 200, { code: "200", message: messages.message("200"), entity: view(contract, entity) }, headers);
  const current = Object.fromEntries(Object.entries(view(contract, entity)).filter(([name]) => name !== "dpKeyid"));
  const decision = await contract.pactum.evaluate({ current, payload: await body(req) });
  if (decision.type !== "decision") return problem(res, "500.1");
  if (decision.errors.length > 0) return problem(res, decision.code, decision.errors, headers);
  for (const claim of decision.unique) {
    for (const [other, holder] of entities) {
      const held = [holder.data[claim.field], ...holder.pending.filter((p) => p.field === claim.field).map((p) => p.value)];
      if (other !== dpKeyid && held.some((value) => String(value).toLowerCase() === String(claim.value).toLowerCase())) {
        const code = claim.role === "mobile" ? "400.4" : claim.role === "email" ? "400.2" : "400.14";
        return problem(res, code, [{ pointer: `/${claim.field}`, code, message: messages.message(code) }], headers);
      }
    }
  }
  Object.assign(entity.data, decision.entity);
  for (const name of Object.keys(current)) if (!(name in decision.entity)) delete entity.data[name];
  if (decision.pending.length === 0) return json(res, 200, { code: "200", message: messages.message("200"), entity: view(contract, entity), pending: [] }, headers);
  if (entity.pending.some((change) => Date.now() - change.sentAt < 120_000 && decision.pending.some((p) => p.field === change.field && p.value === change.value))) {
    return json(res, 200, { code: "200.3", message: messages.message("200.3"), entity: view(contract, entity), pending: [{ field: decision.pending[0].field, channel: decision.pending[0].channel, retryAfter: 120 }] }, { ...headers, "Retry-After": "120" });
  }
  entity.pending = decision.pending.map((change) => ({ ...change, code: String(randomInt(100000, 999999)), sentAt: Date.now() }));
  for (const change of entity.pending) codes.unshift({ entity: dpKeyid, field: change.field, channel: change.channel, recipient: change.value, code: change.code, sentAt: new Date().toISOString() });
  json(res, 200, { code: "200.1", message: messages.message("200.1"), entity: view(contract, entity), pending: entity.pending.map(({ field, channel }) => ({ field, channel, retryAfter: 120 })) }, headers);
}

async function file(res, root, path) {
  const full = normalize(join(root, path));
  if (!full.startsWith(root)) return problem(res, "404");
  try {
    const bytes = await readFile(full);
    res.writeHead(200, { "Content-Type": TYPES[extname(full)] ?? "application/octet-stream" }).end(bytes);
  } catch {
    problem(res, "404");
  }
}

const server = createServer(async (req, res) => {
  const url = new URL(req.url, "http://stub");
  const path = url.pathname;
  let match;
  if (path === "/") return file(res, www, "demo/index.html");
  if (path.startsWith("/static/")) return file(res, www, path.slice(8));
  if (path.startsWith("/pkg/")) return file(res, pkg, path.slice(5));
  if (path === "/catalogue") return json(res, 200, catalogue);
  if (path === "/demo/apps") return json(res, 200, [{ name: "webshop", key: KEY, permissions: ["read", "update", "verify"], defaultContract: "profile", contracts: ["loyalty"] }]);
  if (path === "/demo/entities") return json(res, 200, [...entities].map(([dpKeyid, entity]) => ({ dpKeyid, status: entity.status })));
  if (path === "/demo/codes") return json(res, 200, codes);
  if (path === "/contracts") return json(res, 200, Object.values(contracts).map((c) => ({ id: c.id, title: c.schema.title, moduleSha256: c.sha, module: c.module })));
  if ((match = path.match(/^\/contracts\/([^/]+)$/)) && contracts[match[1]]) {
    const c = contracts[match[1]];
    return json(res, 200, { id: c.id, schema: c.schema, moduleSha256: c.sha, moduleUrl: `/contracts/${c.id}/module.wasm`, ...(c.module === "builtin" ? { bindings: "/pkg/pactum_wasm.js" } : {}) });
  }
  const bySha = (sha) => Object.values(contracts).find((c) => c.sha === sha);
  const wasm = (match = path.match(/^\/contracts\/([^/]+)\/module\.wasm$/)) ? contracts[match[1]] : (match = path.match(/^\/modules\/([0-9a-f]+)\.wasm$/)) ? bySha(match[1]) : null;
  if (wasm) return res.writeHead(200, { "Content-Type": "application/wasm", ETag: `"${wasm.sha}"`, "Cache-Control": "public, max-age=31536000, immutable" }).end(wasm.bytes);
  if ((match = path.match(/^\/userentity\/dp-keyid\/(\d+)(?:\/data(?:\/([^/]+))?|\/(verify))$/))) return account(req, res, Number(match[1]), match[2], Boolean(match[3]));
  problem(res, "404");
});
server.listen(Number(process.argv[2] ?? 0), "127.0.0.1", () => console.log(`listening on http://127.0.0.1:${server.address().port}`));
