// What every end-to-end test shares: the demo server, how Debian's headless Chromium is launched
// through playwright-core, and how to wait for a demo form to settle.
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const root = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Builds saps-server if needed and starts it with the demo on a port the OS picks and a fresh
 * data directory, its clock at `today`. Answers its base URL and a `stop()`.
 */
export async function startDemoServer(today) {
  const built = spawnSync("cargo", ["build", "--quiet", "--locked", "-p", "saps-lambda", "--bin", "saps-server"],
    { cwd: root, stdio: "inherit" });
  assert.equal(built.status, 0, "saps-server builds");
  const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
  const data = mkdtempSync(join(tmpdir(), "saps-e2e-"));
  const server = spawn(join(target, "debug/saps-server"), ["--demo", "--addr", "127.0.0.1:0", "--data-dir", data,
    "--today", today, "--portal-dir", join(root, "portal/dist")],
  { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, SAPS_LOG: "warn" } });
  const stop = () => {
    server.kill();
    rmSync(data, { recursive: true, force: true });
  };
  for await (const line of createInterface({ input: server.stdout })) {
    const match = line.match(/listening on (http:\/\/\S+)/);
    if (match) {
      server.stdout.resume();
      return { base: match[1], stop };
    }
  }
  stop();
  throw new Error("saps-server stopped before listening");
}
export const chromiumOptions = {
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run"],
};

/**
 * Waits until no check or API request of `form` (a locator) is still running: the page counts
 * them in the form's `data-pending`.
 */
export async function settled(form) {
  await form.evaluate((el) => new Promise((resolve) => {
    const done = () => (el.dataset.pending ?? "0") === "0";
    if (done()) return resolve();
    const observer = new MutationObserver(() => done() && (observer.disconnect(), resolve()));
    observer.observe(el, { attributes: true, attributeFilter: ["data-pending"] });
  }));
}
