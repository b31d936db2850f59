import type { FastifyInstance } from 'fastify';
import { invalidInput } from '../errors.ts';

/**
 * The NUL character (U+0000) is refused in every input string: path, query and body.
 * PostgreSQL cannot store it in text at all (the statement fails, which would be a 500), and
 * SQLite would store it and cut it off in many readers; no resident's text ever needs it.
 * Refusing it at the edge keeps both databases answering the same 400, naming the field.
 */
export function registerNulGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    // A NUL in the path or query arrives percent-encoded; without `%00` there is nothing to look for.
    if (request.raw.url?.includes('%00')) {
      const at = nulAt(request.params, 'params') ?? nulAt(request.query, 'query');
      if (at) throw invalidInput(at, 'text may not contain the NUL character (U+0000)');
    }
    if (typeof request.body === 'string' || (request.body !== null && typeof request.body === 'object')) {
      const at = nulAt(request.body, '');
      if (at) throw invalidInput(at, 'text may not contain the NUL character (U+0000)');
    }
  });
}

/**
 * The dotted path of the first string (or key) holding U+0000, or null. Binary bodies (files)
 * are not text and are skipped; so is anything nested deeper than any schema allows, which
 * validation refuses anyway.
 */
export function nulAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || 'body' : null;
  if (value === null || typeof value !== 'object' || depth > 256) return null;
  if (Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const at = nulAt(value[i], path ? `${path}.${i}` : String(i), depth + 1);
      if (at) return at;
    }
    return null;
  }
  for (const key of Object.keys(value)) {
    const p = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return p;
    const at = nulAt((value as Record<string, unknown>)[key], p, depth + 1);
    if (at) return at;
  }
  return null;
}
