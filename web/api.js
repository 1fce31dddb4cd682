// The local API behind the demo forms (`saps-server --demo`): the demo's sign-in tokens, and
// requests that carry the chosen role's token and the page's language.
//
// Every reply is turned into the shape saps-rules answers with — `{type: "success", output}` or
// `{type: "failure", errors: [{code, message, fields}]}` — so a form shows the server's verdict
// exactly as it shows its own check.

/** The JSON `path` answers, or `null` when nothing (or no JSON) answers it: the forms alone. */
async function getJson(path) {
  try {
    const reply = await fetch(path, { headers: { accept: "application/json" } });
    if (!reply.ok || !reply.headers.get("content-type")?.includes("json")) return null;
    return await reply.json();
  } catch {
    return null;
  }
}

/** The demo's tokens by role, or `null` when no API serves them (the forms alone, offline). */
export async function demoTokens() {
  return getJson("/demo/tokens");
}

/**
 * The date the API's rules run on (`/healthz`: UTC, or the server's injected clock), or `null`
 * when it cannot tell. Forms check with it, so they agree with the server east of UTC too.
 */
export async function serverToday() {
  const today = (await getJson("/healthz"))?.today;
  return typeof today === "string" && /^\d{4}-\d{2}-\d{2}$/.test(today) ? today : null;
}

/** The catalog the server stores (`GET /v1/programs`), or null without an API behind the page. */
export async function serverPrograms() {
  const programs = await getJson("/v1/programs");
  return Array.isArray(programs) ? programs : null;
}

/** The claims of a JWT, read for display only: the server verifies the signature. */
export function claimsOf(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

/** A failure the server could not phrase (no connection, not JSON), in the §11 shape. */
function transportFailure(code, message) {
  return { type: "failure", status: 0, errors: [{ code, message, fields: [] }] };
}

/**
 * Sends one request. `json` is sent as JSON; `bytes` (a Blob or File) as its own media type.
 * `key` becomes the Idempotency-Key header. Answers a tagged reply with the HTTP `status` and
 * whether the server replayed an earlier answer.
 */
export async function send({ method, path, token, locale, json, bytes, key }) {
  const headers = { accept: "application/json", "accept-language": locale };
  if (token) headers.authorization = `Bearer ${token}`;
  if (key) headers["idempotency-key"] = key;
  let body;
  if (json !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(json);
  } else if (bytes !== undefined) {
    headers["content-type"] = bytes.type || "application/octet-stream";
    body = bytes;
  }
  let reply;
  try {
    reply = await fetch(path, { method, headers, body });
  } catch (error) {
    return transportFailure("request.network", String(error));
  }
  const text = await reply.text();
  let parsed;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    return transportFailure("request.notJson", `${reply.status}: ${text.slice(0, 200)}`);
  }
  const replayed = reply.headers.get("idempotent-replayed") === "true";
  if (reply.ok) return { type: "success", status: reply.status, replayed, output: parsed };
  const failure = parsed && typeof parsed.code === "string"
    ? { code: parsed.code, message: parsed.message ?? "", fields: parsed.fields ?? [] }
    : { code: "request.failed", message: `${reply.status}`, fields: [] };
  return { type: "failure", status: reply.status, errors: [failure] };
}

/** Whether a failed request may be sent again with the same idempotency key. */
export function retryable(reply) {
  return reply.type === "failure" && (reply.status === 0 || reply.status >= 500);
}
