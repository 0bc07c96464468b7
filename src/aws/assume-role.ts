/**
 * Assumed-role credentials for one account of a fleet run, cached for the run and refreshed before
 * they expire, so a long run (hundreds of clusters, `--wait`) never sends a request with expired
 * credentials and a short one calls sts:AssumeRole once per account. See docs/fleet.md.
 */
import type { CredentialProvider } from './clients.js';
import type { TemporaryCredentials } from './sts.js';

/**
 * Fetch anew once the credentials are this close to expiry. The SDK asks its provider again 5 minutes
 * before an identity expires; a larger margin here makes that call get fresh credentials.
 */
export const REFRESH_MARGIN_MS = 10 * 60_000;

/**
 * A credential provider that calls `fetch` (sts:AssumeRole) on first use and again once the cached
 * credentials are within `refreshMarginMs` of expiry. Concurrent callers share one fetch; a failed
 * fetch is not cached (the next caller tries again).
 */
export function cachedCredentials(
  fetch: () => Promise<TemporaryCredentials>,
  now: () => number,
  refreshMarginMs = REFRESH_MARGIN_MS,
): CredentialProvider {
  let current: TemporaryCredentials | undefined;
  let inFlight: Promise<TemporaryCredentials> | undefined;
  return async () => {
    if (current && current.expiration.getTime() - refreshMarginMs > now()) return current;
    inFlight ??= fetch().then(
      (credentials) => {
        current = credentials;
        inFlight = undefined;
        return credentials;
      },
      (error: unknown) => {
        inFlight = undefined;
        throw error;
      },
    );
    return inFlight;
  };
}
