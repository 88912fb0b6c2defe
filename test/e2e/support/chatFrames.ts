/**
 * The SDK's chat protocol over a raw test socket, as `useAgentChat` speaks it: a
 * `cf_agent_use_chat_request` carrying the UI messages, answered by `cf_agent_use_chat_response` frames
 * (one UI message chunk per frame, then `done`), or an error answer.
 */
import { waitFor } from "./output.js"
import type { TestSocket } from "./wsClient.js"

/** A user message as `useAgentChat` builds it. */
export const userMessage = (id: string, text: string) => ({ id, role: "user", parts: [{ type: "text", text }] })

/** The chat request frame for turn `id`: `messages` (the conversation so far) plus a new user message. */
export const chatRequest = (id: string, text: string, messages: ReadonlyArray<unknown> = []) => ({
  type: "cf_agent_use_chat_request",
  id,
  init: { method: "POST", body: JSON.stringify({ messages: [...messages, userMessage(`u-${id}`, text)], trigger: "submit-message" }) }
})

/** How one turn went, as its client saw it. */
export interface Turn {
  /** The UI message chunks, decoded from the frames' bodies. */
  readonly chunks: ReadonlyArray<{ readonly type: string; readonly delta?: string; readonly messageMetadata?: unknown }>
  /** The streamed text. */
  readonly text: string
  /** The error answer's text, if the turn failed. */
  readonly error: string | null
  /** The last frame's `outcome` (`error`, `aborted`, ...), if it has one. */
  readonly outcome: string | null
  /** Every frame of the turn, as received. */
  readonly frames: ReadonlyArray<Record<string, unknown>>
}

const isResponse = (id: string) => (f: Record<string, unknown>) => f["type"] === "cf_agent_use_chat_response" && f["id"] === id

/** Waits for the frames of turn `id` up to its `done` frame and takes them off `socket.frames`. */
export const turnOf = async (socket: TestSocket, id: string, timeoutMs = 10_000): Promise<Turn> => {
  const ended = (frames: ReadonlyArray<Record<string, unknown>>) => frames.some((f) => isResponse(id)(f) && f["done"] === true)
  if (!ended(await waitFor(() => socket.frames, ended, timeoutMs))) {
    throw new Error(`turn ${id} did not end within ${timeoutMs} ms; got ${JSON.stringify(socket.frames)}`)
  }
  const frames = socket.frames.filter(isResponse(id))
  for (const frame of frames) socket.frames.splice(socket.frames.indexOf(frame), 1)
  const chunks = frames
    .filter((f) => f["error"] !== true && typeof f["body"] === "string" && f["body"] !== "")
    .map((f) => JSON.parse(String(f["body"])) as Turn["chunks"][number])
  const failed = frames.find((f) => f["error"] === true)
  const last = frames.at(-1)
  return {
    chunks,
    text: chunks.map((c) => (c.type === "text-delta" ? (c.delta ?? "") : "")).join(""),
    error: failed === undefined ? null : String(failed["body"]),
    outcome: typeof last?.["outcome"] === "string" ? last["outcome"] : null,
    frames
  }
}

/** Waits until turn `id` has streamed at least one text delta. */
export const firstDelta = async (socket: TestSocket, id: string, timeoutMs = 10_000): Promise<void> => {
  const streaming = (frames: ReadonlyArray<Record<string, unknown>>) =>
    frames.some((f) => isResponse(id)(f) && String(f["body"]).includes('"text-delta"'))
  if (!streaming(await waitFor(() => socket.frames, streaming, timeoutMs))) throw new Error(`turn ${id} streamed no text within ${timeoutMs} ms`)
}
