/** Byte comparison whose time does not depend on where the inputs differ (for secrets). */

/** True when `a` and `b` hold the same bytes; every byte is visited whatever the inputs. */
export const timingSafeEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  let difference = a.length ^ b.length
  const length = Math.max(a.length, b.length)
  for (let i = 0; i < length; i++) difference |= (a[i] ?? 0) ^ (b[i] ?? 0)
  return difference === 0
}
