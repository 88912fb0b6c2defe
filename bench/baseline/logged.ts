/**
 * The baseline plus the one log line per request this product must write: the bare SDK's routing, then a
 * single JSON line printed as the router prints its own (after the answer, under `ctx.waitUntil`, with
 * `console.info`). Under `wrangler dev` every printed line crosses to wrangler's process, so this column
 * shows what the line itself costs, apart from the router. Not a product path.
 */
import baseline from "./worker.js"

export { CoderAgent } from "./worker.js"

export default {
  fetch: async (request, env, ctx) => {
    const started = Date.now()
    const response = await baseline.fetch(request, env)
    const line = JSON.stringify({
      timestamp: new Date().toISOString(),
      level: "INFO",
      event: "request.completed",
      method: request.method,
      path: new URL(request.url).pathname,
      status: response.status,
      durationMs: Date.now() - started
    })
    ctx.waitUntil(
      new Promise<void>((done) =>
        setTimeout(() => {
          console.info(line)
          done()
        }, 0)
      )
    )
    return response
  }
} satisfies ExportedHandler<Record<string, unknown>>
