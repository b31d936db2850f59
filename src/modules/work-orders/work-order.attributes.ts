/**
 * Limits on an order's free-form `attributes` (Open311-style extra answers: a few keys, short
 * values). A value nested thousands of levels deep overflows the stack of every recursive
 * JSON walker after it (JSON.stringify, canonical JSON for the idempotency fingerprint, the
 * response serializer), so the shape is checked first, without recursion, before any work.
 */
export const ATTRIBUTE_LIMITS = {
  /** Keys at the top level (checked here only, so it answers as the other two limits do). */
  maxKeys: 50,
  /** Levels of objects and arrays, `attributes` itself being the first. */
  maxDepth: 8,
  /** Size of the whole value as JSON, in UTF-16 code units. */
  maxJsonLength: 16 * 1024,
} as const;

export type AttributesCheck = { ok: true; json: string } | { ok: false; reason: string };

/**
 * Checks the depth, key count and size of an attributes value (pure, iterative) and returns
 * its JSON text when it fits.
 */
export function checkAttributes(value: Record<string, unknown>): AttributesCheck {
  const { maxKeys, maxDepth, maxJsonLength } = ATTRIBUTE_LIMITS;
  if (Object.keys(value).length > maxKeys) {
    return { ok: false, reason: `attributes may have at most ${maxKeys} keys` };
  }
  const tooLarge = {
    ok: false,
    reason: `attributes may be at most ${maxJsonLength / 1024} KB as JSON`,
  } as const;
  // Depth first, with an explicit stack. Every member is at least one character of JSON, so
  // more members than the size limit cannot fit: the walk stops there, whatever was sent.
  const stack: [unknown, number][] = [[value, 1]];
  let members = 0;
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth > maxDepth) {
      return { ok: false, reason: `attributes may be nested at most ${maxDepth} levels deep` };
    }
    const children: unknown[] = Array.isArray(v) ? v : Object.values(v);
    members += children.length;
    if (members > maxJsonLength) return tooLarge;
    for (const child of children) stack.push([child, depth + 1]);
  }
  const json = JSON.stringify(value);
  if (json.length > maxJsonLength) return tooLarge;
  return { ok: true, json };
}
