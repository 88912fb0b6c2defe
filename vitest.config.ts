import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // End-to-end files start local workerd; give start-up room on a 2-core CI machine.
    hookTimeout: 120_000,
    testTimeout: 60_000
  }
})
