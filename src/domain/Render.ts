/**
 * Turns a `Problem` into the HTTP answer: `application/problem+json` when the client accepts JSON,
 * otherwise the same facts as `text/plain`. Every answer carries `x-request-id`.
 */
import { REQUEST_ID_HEADER } from "./Headers.js"
import type { Problem } from "./Problem.js"

/** How one answer is rendered for one request. */
export interface RenderOptions {
  readonly requestId: string
  readonly json: boolean
  readonly diagnostics: boolean
}

/** True when the `Accept` header names HTML, as browsers' navigations do (curl's default accepts anything, not HTML by name). */
export const acceptsHtml = (accept: string | null): boolean => accept !== null && /\btext\/html\b/i.test(accept)

/** True when the `Accept` header asks for any JSON media type (`application/json`, `*+json`). */
export const acceptsJson = (accept: string | null): boolean => accept !== null && /json/i.test(accept)

/** The problem's fields as the body carries them, technical details included only with diagnostics. */
export const problemBody = (problem: Problem, options: RenderOptions): Record<string, string | number> => ({
  type: problem.type,
  title: problem.title,
  status: problem.status,
  detail: problem.detail,
  requestId: options.requestId,
  reason: problem.reason,
  ...(problem.agent === undefined ? {} : { agent: problem.agent }),
  ...(problem.instance === undefined ? {} : { instance: problem.instance }),
  ...(options.diagnostics ? problem.technical : {})
})

const plainText = (body: Record<string, string | number>): string => {
  const { status, title, detail, type: _type, ...facts } = body
  const lines = Object.entries(facts).map(([key, value]) => `${key}: ${value}`)
  return `${status} ${title}\n${detail}\n\n${lines.join("\n")}\n`
}

/** Renders the answer. The body never holds a stack trace or cause unless `diagnostics` is set. */
export const renderProblem = (problem: Problem, options: RenderOptions): Response => {
  const body = problemBody(problem, options)
  const headers = new Headers(problem.headers)
  headers.set(REQUEST_ID_HEADER, options.requestId)
  headers.set("cache-control", "no-store")
  if (options.json) {
    headers.set("content-type", "application/problem+json")
    return new Response(JSON.stringify(body), { status: problem.status, headers })
  }
  headers.set("content-type", "text/plain; charset=utf-8")
  return new Response(plainText(body), { status: problem.status, headers })
}
