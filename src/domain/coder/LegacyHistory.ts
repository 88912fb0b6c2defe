/**
 * Conversations CoderAgent stored before it was an `AIChatAgent`: rows of its own `coder_messages` table.
 * They become the SDK's UI messages once, so no instance loses its history in the upgrade.
 */
import type { UIMessage } from "ai"

/** The table CoderAgent kept its messages in, and one of its rows. */
export const LEGACY_TABLE = "coder_messages"
export interface LegacyRow {
  readonly seq: number
  readonly id: string
  readonly role: string
  readonly text: string
  readonly at: string
}

/**
 * The rows as UI messages, oldest first. A question and its reply shared an id in the old table, so ids are
 * made from the row's sequence number; the old id and time are kept in the metadata.
 */
export const legacyMessages = (rows: ReadonlyArray<LegacyRow>): Array<UIMessage> =>
  rows.map((row) => ({
    id: `legacy-${row.seq}`,
    role: row.role === "assistant" ? "assistant" : "user",
    parts: [{ type: "text", text: row.text }],
    metadata: { legacyId: row.id, at: row.at }
  }))
