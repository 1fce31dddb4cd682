// What every end-to-end test shares: how Debian's headless Chromium is launched through
// playwright-core, and how to wait for a demo form to settle.
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
