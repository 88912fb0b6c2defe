import { resolve } from "node:path"
import { defineConfig } from "vitest/config"

export default defineConfig({
  resolve: {
    // The `agents` entry loads only inside workerd; Node tests and benchmarks (vitest, vite-node) get its
    // routing function and URL-name mapping from the SDK's Node-loadable modules instead.
    alias: [{ find: /^agents$/, replacement: resolve(import.meta.dirname, "test/support/agentsEntryForNode.ts") }]
  },
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end files start local workerd; give start-up room on a 2-core CI machine.
    hookTimeout: 120_000,
    testTimeout: 60_000
  }
})
