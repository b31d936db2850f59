/**
 * The app node's anchor file: chain heads appended one JSON line at a time, outside the
 * database (see `audit.anchors.ts`). Appends use O_APPEND and one write each, so two
 * processes appending to one file never interleave inside a line.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { formatAnchor, parseAnchors } from './audit.anchors.ts';
import type { Anchor } from './audit.anchors.ts';

/** The anchor file could not be read (a folder in its place, no permission): `reason` is the system's code. */
export class AnchorFileError extends Error {
  constructor(readonly reason: string) {
    super(`cannot read it (${reason})`);
    this.name = 'AnchorFileError';
  }
}

/**
 * The anchors in a file; none when the file does not exist yet. Throws `AnchorFormatError` on a
 * damaged line and `AnchorFileError` when the file cannot be read.
 */
export function readAnchorFile(file: string): Anchor[] {
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new AnchorFileError(String((e as { code?: unknown }).code ?? (e as Error).message));
  }
  return parseAnchors(text);
}

/** Appends anchors, creating the file (readable by its owner only) and its folder when needed. */
export function appendAnchors(file: string, anchors: readonly Anchor[]): void {
  if (anchors.length === 0) return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const text = anchors.map((a) => formatAnchor(a) + '\n').join('');
  // After a torn append (no newline at the end), start on a line of our own.
  appendFileSync(file, endsMidLine(file) ? '\n' + text : text, { mode: 0o600 });
}

function endsMidLine(file: string): boolean {
  if (!existsSync(file)) return false;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    closeSync(fd);
  }
}
