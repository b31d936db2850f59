import { accessSync, constants, rmSync, statSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, normalize, sep } from 'node:path';
import { randomBytes } from 'node:crypto';

/** A stored file, named by its key, without its bytes. */
export interface StoredFile {
  key: string;
  /** When it was last written, in milliseconds since the epoch. */
  modifiedAt: number;
}

/**
 * Where uploaded files (photos) live: a folder on disk (`DiskFileStore`), the database
 * (`DatabaseFileStore`, which every app node reads), or an object store implementing the same port.
 */
export interface FileStore {
  /** Writes a file whole (a reader never sees half of it), replacing one of the same key. */
  put(key: string, data: Buffer): Promise<void>;
  /** A file's bytes, or null when there is none of that key. */
  get(key: string): Promise<Buffer | null>;
  /** Removes a file; a missing one is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The files under a prefix (a folder of keys), only those last written before `modifiedBefore`
   * (milliseconds) when given, in pages of at most `pageSize` (500), never with their bytes: a
   * store of a million photos is walked a page at a time. Files may be deleted between pages.
   */
  list(prefix: string, options?: ListOptions): AsyncIterable<StoredFile[]>;
}

export interface ListOptions {
  modifiedBefore?: number;
  pageSize?: number;
}

export const LIST_PAGE_SIZE = 500;

export class DiskFileStore implements FileStore {
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    const p = normalize(join(this.root, key));
    if (!p.startsWith(normalize(this.root) + sep)) throw new Error(`file key escapes the store: ${key}`);
    return p;
  }

  async put(key: string, data: Buffer): Promise<void> {
    const p = this.pathOf(key);
    await mkdir(dirname(p), { recursive: true });
    // Write then rename, so a reader never sees half a file.
    const tmp = `${p}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, data);
    await rename(tmp, p);
  }

  async *list(prefix: string, options: ListOptions = {}): AsyncIterable<StoredFile[]> {
    const { modifiedBefore = Infinity, pageSize = LIST_PAGE_SIZE } = options;
    const dir = this.pathOf(prefix);
    let names: string[];
    try {
      names = await readdir(dir, { recursive: true });
    } catch {
      return;
    }
    let page: StoredFile[] = [];
    for (const name of names) {
      if (name.endsWith('.tmp')) continue; // a write in progress
      const st = await stat(join(dir, name)).catch(() => null);
      if (!st?.isFile() || st.mtimeMs >= modifiedBefore) continue;
      page.push({ key: `${prefix}/${name.split(sep).join('/')}`, modifiedAt: st.mtimeMs });
      if (page.length >= pageSize) {
        yield page;
        page = [];
      }
    }
    if (page.length > 0) yield page;
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  async get(key: string): Promise<Buffer | null> {
    try {
      return await readFile(this.pathOf(key));
    } catch {
      return null;
    }
  }
}

/** Why a file could not be read or written, in words (from the error's code). */
export function fileErrorReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'ENOTDIR') return 'a part of the path is not a folder';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return code ?? (e instanceof Error ? e.message : String(e));
}

/**
 * Why `file` cannot be written as a command's output, or null when it can: checked before the
 * command does its work, so a long job does not end in a raw ENOENT about a temporary file.
 */
export function outputPathProblem(file: string): string | null {
  const dir = dirname(file);
  try {
    if (!statSync(dir).isDirectory()) return `${dir} is not a folder`;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR'
      ? `the folder ${dir} does not exist`
      : `cannot use the folder ${dir} (${fileErrorReason(e)})`;
  }
  try {
    accessSync(dir, constants.W_OK);
  } catch (e) {
    return `cannot write in the folder ${dir} (${fileErrorReason(e)})`;
  }
  try {
    if (statSync(file).isDirectory()) return `${file} is a folder, not a file`;
  } catch {
    // Not there yet: it will be created.
  }
  return null;
}

/**
 * Copies every file under `prefix` from one store into another, one file at a time (photos are up
 * to 5 MB each), replacing one of the same key; answers how many. For a deployment moving its
 * photos from the nodes' disks into the database (`linli files copy-to-database`).
 */
export async function copyFiles(from: FileStore, to: FileStore, prefix: string): Promise<number> {
  let copied = 0;
  for await (const page of from.list(prefix)) {
    for (const f of page) {
      const data = await from.get(f.key);
      if (!data) continue; // removed since it was listed
      await to.put(f.key, data);
      copied += 1;
    }
  }
  return copied;
}

/**
 * Writes `file` whole or not at all: `write` fills a file beside it, renamed to `file` once done,
 * so a failure midway leaves no file cut short (and no part file behind).
 */
export async function writeWhole(file: string, write: (part: string) => Promise<void>): Promise<void> {
  const part = `${file}.${process.pid}.part`;
  // Stopped by a signal while writing (Ctrl+C, a service manager), the part file goes too: it
  // held what was written so far (names, addresses) under a name nobody would look for.
  const onSignal = (signal: NodeJS.Signals) => {
    rmSync(part, { force: true });
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGHUP' ? 1 : 15));
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.once(s, onSignal);
  try {
    await write(part);
    await rename(part, file);
  } catch (e) {
    await rm(part, { force: true });
    throw e;
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
