import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { fileURLToPath, URL } from "node:url";

// `npm run dev` serves the client with hot reload and forwards the API and the
// WebSocket to a Confab server on 127.0.0.1:8080 (start it with scripts/run.sh).
const server = process.env.CONFAB_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    proxy: {
      "/api": { target: server, ws: true, changeOrigin: true },
      "/healthz": server,
      "/readyz": server,
    },
  },
  build: { outDir: "dist", emptyOutDir: true, sourcemap: false },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
