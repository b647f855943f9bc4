import type { OrchTokenResponse } from './types';

/** The Web Storage key of the session. */
export const SESSION_STORAGE_KEY = 'orch.session';

/** A session as kept in the browser. */
export type StoredSession = OrchTokenResponse & {
  /** When the access token arrived, in this browser's clock (epoch ms). */
  accessIssuedAtMs: number;
  /** When the access token expires, in this browser's clock (epoch ms). */
  accessExpiresAtMs: number;
};

type StorageName = 'localStorage' | 'sessionStorage';

// Storage can be missing or throw (disabled cookies, some private modes): the
// session then lives in memory only and ends with the page.
function storage(name: StorageName): Storage | undefined {
  try {
    return typeof window === 'undefined' ? undefined : window[name];
  } catch {
    return undefined;
  }
}

function isStoredSession(value: any): value is StoredSession {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof value.accessToken === 'string' &&
    typeof value.refreshToken === 'string' &&
    typeof value.refreshExpiresAt === 'string' &&
    typeof value.accessIssuedAtMs === 'number' &&
    typeof value.accessExpiresAtMs === 'number' &&
    typeof value.user?.id === 'string'
  );
}

function readFrom(name: StorageName): StoredSession | undefined {
  try {
    const raw = storage(name)?.getItem(SESSION_STORAGE_KEY);
    const value = raw ? JSON.parse(raw) : undefined;
    return isStoredSession(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function removeFrom(name: StorageName) {
  try {
    storage(name)?.removeItem(SESSION_STORAGE_KEY);
  } catch {
    // nothing to remove from
  }
}

/** This tab's session first (not remembered), then the remembered one. */
export function readStoredSession(): StoredSession | undefined {
  return readFrom('sessionStorage') ?? readFrom('localStorage');
}

/**
 * Keeps a remembered session in localStorage (it outlives the browser) and
 * any other in sessionStorage (it ends with the tab), never in both.
 */
export function writeStoredSession(session: StoredSession) {
  const target: StorageName = session.remember
    ? 'localStorage'
    : 'sessionStorage';
  removeFrom(session.remember ? 'sessionStorage' : 'localStorage');
  try {
    storage(target)?.setItem(SESSION_STORAGE_KEY, JSON.stringify(session));
  } catch {
    // quota or disabled storage: the session stays in memory only
  }
}

/** Forgets the session of `refreshToken`, or any session when not given. */
export function clearStoredSession(refreshToken?: string) {
  for (const name of ['sessionStorage', 'localStorage'] as const) {
    if (!refreshToken || readFrom(name)?.refreshToken === refreshToken) {
      removeFrom(name);
    }
  }
}
