import { defineConfig } from "vitest/config";

// A plain TypeScript front end: no framework, a small bundle, nothing loaded from the network.
export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: { target: "es2022", sourcemap: false, outDir: "dist", emptyOutDir: true },
  test: { environment: "node" },
});
