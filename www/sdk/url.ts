// Every URL the SDK fetches goes through `resolveUrl`: against the caller's
// `baseUrl` when one is given (`new URL(path, baseUrl)`, so the server's
// `/modules/...` paths work from node and from pages on other origins),
// else against the page or worker's own location, else it must already be
// absolute. Node has no page to resolve against: a relative URL without a
// `baseUrl` fails here, naming the option, rather than inside `fetch`.

/** Where a Pactum server is, e.g. `"https://pactum.example"`: the SDK's paths are resolved against it. */
export type BaseUrl = string | URL;

export function resolveUrl(url: string | URL, baseUrl: BaseUrl | undefined, what: string): URL {
  if (baseUrl !== undefined) {
    try {
      return new URL(url, baseUrl);
    } catch {
      throw new TypeError(`${what}: cannot resolve ${JSON.stringify(String(url))} against the baseUrl ${JSON.stringify(String(baseUrl))}`);
    }
  }
  if (url instanceof URL) return url;
  const page = (globalThis as { location?: { href?: unknown } }).location?.href;
  try {
    return typeof page === "string" ? new URL(url, page) : new URL(url);
  } catch {
    throw new TypeError(
      `${what}: ${JSON.stringify(url)} is a relative URL and there is no page to resolve it against: pass \`baseUrl\` (the Pactum server, e.g. "http://localhost:8080")`,
    );
  }
}
