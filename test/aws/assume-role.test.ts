import { describe, expect, it } from 'vitest';
import { cachedCredentials, REFRESH_MARGIN_MS } from '../../src/aws/assume-role.js';
import type { TemporaryCredentials } from '../../src/aws/sts.js';

function issuer(start: number, lifetimeMs = 3600_000) {
  let calls = 0;
  let now = start;
  const fetch = async (): Promise<TemporaryCredentials> => {
    calls++;
    return {
      accessKeyId: `AK${calls}`,
      secretAccessKey: 's',
      sessionToken: 't',
      expiration: new Date(now + lifetimeMs),
    };
  };
  return {
    fetch,
    calls: () => calls,
    clock: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

describe('cachedCredentials', () => {
  it('assumes the role once and serves the cached credentials until shortly before they expire', async () => {
    const sts = issuer(1_000_000);
    const provider = cachedCredentials(sts.fetch, sts.clock);
    expect((await provider()).accessKeyId).toBe('AK1');
    sts.advance(3600_000 - REFRESH_MARGIN_MS - 1);
    expect((await provider()).accessKeyId).toBe('AK1');
    expect(sts.calls()).toBe(1);
    // Within the margin: fresh credentials, before the SDK's own 5-minute check could see expired ones.
    sts.advance(2);
    expect((await provider()).accessKeyId).toBe('AK2');
    expect(sts.calls()).toBe(2);
    expect(REFRESH_MARGIN_MS).toBeGreaterThan(5 * 60_000);
  });

  it('shares one AssumeRole between concurrent callers', async () => {
    const sts = issuer(0);
    const provider = cachedCredentials(sts.fetch, sts.clock);
    const all = await Promise.all([provider(), provider(), provider()]);
    expect(all.map((c) => c.accessKeyId)).toEqual(['AK1', 'AK1', 'AK1']);
    expect(sts.calls()).toBe(1);
  });

  it('does not cache a failure: the next call tries again', async () => {
    let fail = true;
    let calls = 0;
    const provider = cachedCredentials(
      async () => {
        calls++;
        if (fail) throw new Error('AccessDenied');
        return {
          accessKeyId: 'AK',
          secretAccessKey: 's',
          sessionToken: 't',
          expiration: new Date(10_000_000),
        };
      },
      () => 0,
    );
    await expect(provider()).rejects.toThrow('AccessDenied');
    fail = false;
    expect((await provider()).accessKeyId).toBe('AK');
    expect(calls).toBe(2);
  });
});
