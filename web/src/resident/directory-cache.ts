/**
 * The last 找谁办 directory a resident saw, kept on the phone: offline, the hotline and the grid
 * worker's number are what matters most (an SOS that could not be sent names the hotline too).
 * Kept per resident, so on a shared phone nobody sees another household's grid worker.
 */
import { api } from '../lib/api.ts';
import type { Directory } from '../lib/types.ts';

const STORE = 'linli.directory';
const RESIDENT = 'linli.resident';

/**
 * The resident signed in on this phone, kept so that a reload without a network can still show
 * their saved directory and queued reports; forgotten on signing out (a shared phone).
 */
export function rememberResident(id: string | null): void {
  try {
    if (id) localStorage.setItem(RESIDENT, id);
    else localStorage.removeItem(RESIDENT);
  } catch {
    // Storage unavailable: offline, the app then shows only the banner.
  }
}

/** The resident last signed in on this phone (and not signed out), or null. */
export function lastResident(): string | null {
  try {
    return localStorage.getItem(RESIDENT);
  } catch {
    return null;
  }
}

interface Saved {
  owner: string;
  savedAt: string;
  directory: Directory;
}

function isSaved(v: unknown): v is Saved {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<Saved>;
  return typeof s.owner === 'string' && typeof s.savedAt === 'string' && typeof s.directory === 'object';
}

/** The directory saved for this resident, with when it was saved; null when there is none. */
export function savedDirectory(owner: string): { directory: Directory; savedAt: string } | null {
  try {
    const raw = localStorage.getItem(STORE);
    const v: unknown = raw ? JSON.parse(raw) : null;
    return isSaved(v) && v.owner === owner ? { directory: v.directory, savedAt: v.savedAt } : null;
  } catch {
    return null;
  }
}

/** Fetches the directory and keeps it for next time (offline). */
export async function fetchDirectory(owner: string, signal?: AbortSignal): Promise<Directory> {
  const directory = await api<Directory>('/api/v1/directory', { signal });
  try {
    const saved: Saved = { owner, savedAt: new Date().toISOString(), directory };
    localStorage.setItem(STORE, JSON.stringify(saved));
  } catch {
    // Storage full: the directory is still shown, just not kept.
  }
  return directory;
}
