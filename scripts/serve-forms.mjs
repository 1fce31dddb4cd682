// Serves the demo forms (web/) and the built package (pkg/) on 127.0.0.1, with no dependencies:
//   node scripts/serve-forms.mjs [port]     then open http://127.0.0.1:8080/
// The end-to-end test imports `serve` to start it on a free port.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const types = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm",
};

export function serve(port = 0) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://localhost").pathname);
    if (path === "/") {
      res.writeHead(302, { location: "/web/" }).end();
      return;
    }
    const file = normalize(path.endsWith("/") ? `${path}index.html` : path);
    const allowed = file.startsWith(`${sep}web${sep}`) || file.startsWith(`${sep}pkg${sep}`);
    try {
      if (!allowed) throw new Error("outside web/ and pkg/");
      const body = await readFile(root + file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" }).end(body);
    } catch {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.argv[2] ?? 8080));
  console.log(`demo forms: http://127.0.0.1:${server.address().port}/`);
}
