import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `saps-rules` is the workspace's own pkg/ (built by scripts/build-pkg.sh, so not an npm
// dependency): its WebAssembly modules are emitted as assets beside the portal's code.
const pkg = (path: string) => fileURLToPath(new URL(`../pkg/${path}`, import.meta.url));

export default defineConfig({
  plugins: [react()],
  base: "./",
  resolve: {
    alias: {
      "saps-rules/web": pkg("web/saps_rules.js"),
      "saps-rules/all": pkg("all/web/saps_rules.js"),
    },
  },
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: { fs: { allow: [".", "../pkg"] } },
});
