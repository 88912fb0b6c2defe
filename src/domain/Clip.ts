/** Bounds on text a client controls, so a long path or name cannot blow up a log line or an answer. */

/** `text` cut to at most `max` characters, saying how much was cut. */
export const clip = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}...(${text.length - max} more characters)`
