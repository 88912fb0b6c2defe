/**
 * Removes credentials from free text before it is logged: an error message may quote a header or URL
 * that carried a token. Applied by the JSON logger to every string field.
 */

const schemes = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi
// `authorization: <value>`, `token=...`, `"apiKey":"..."`: a sensitive name, a separator, a value.
const namedValues =
  /\b(authorization|cookie|[A-Za-z_-]*(?:token|secret|password|passwd|api[_-]?key|signature)[A-Za-z_-]*)(["']?\s*[:=]\s*["']?)[^"'&,;\s]+/gi
const marker = /bearer|basic|authorization|token|cookie|secret|passw|key|signature/i

/** `text` with every credential-looking value replaced by `[redacted]`. */
export const redactSecrets = (text: string): string =>
  marker.test(text)
    ? text
        .replace(schemes, (_match, scheme: string) => `${scheme} [redacted]`)
        .replace(namedValues, (_match, name: string, separator: string) => `${name}${separator}[redacted]`)
    : text
