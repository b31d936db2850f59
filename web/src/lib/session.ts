/** Who is signed in (cookie session), shared by every app. */
import { useCallback, useEffect, useState } from 'react';
import { api, ApiError } from './api.ts';
import type { Me } from './types.ts';

export type SessionState =
  | { status: 'loading' }
  | { status: 'anonymous' }
  | { status: 'error'; message: string }
  | { status: 'signed-in'; me: Me };

let current: Promise<Me | null> | null = null;

/** Fetches /me once and shares the answer between components; null when anonymous. */
export function fetchMe(force = false): Promise<Me | null> {
  if (force || !current) {
    current = api<Me>('/api/v1/me').catch((err: unknown) => {
      if (err instanceof ApiError && err.status === 401) return null;
      current = null;
      throw err;
    });
  }
  return current;
}

export async function signOut(): Promise<void> {
  try {
    await api('/api/v1/auth/logout', { method: 'POST', body: {} });
  } finally {
    current = Promise.resolve(null);
  }
}

/** React hook: the session state and a way to reload it after signing in or out. */
export function useSession(): { state: SessionState; reload: () => void } {
  const [state, setState] = useState<SessionState>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    fetchMe(tick > 0)
      .then((me) => {
        if (live) setState(me ? { status: 'signed-in', me } : { status: 'anonymous' });
      })
      .catch((err: unknown) => {
        if (live) setState({ status: 'error', message: err instanceof Error ? err.message : String(err) });
      });
    return () => {
      live = false;
    };
  }, [tick]);
  const reload = useCallback(() => setTick((n) => n + 1), []);
  return { state, reload };
}
