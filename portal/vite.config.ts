// Vite build of the portal into dist/ (served by the hub at / and /assets/*). No inline scripts
// or styles, so the hub's Content-Security-Policy needs no 'unsafe-inline'.
import { defineConfig } from "vite";

export default defineConfig({
  base: "/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
});
