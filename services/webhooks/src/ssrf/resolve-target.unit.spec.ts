import { describe, expect, it } from 'vitest';
import { resolveTarget, type Resolve } from './resolve-target';

/** A resolver that answers from a table: no DNS is asked. */
const table =
  (answers: Record<string, string[]>): Resolve =>
  async (host) => {
    const found = answers[host];
    if (!found) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return found.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (err) {
    return err as { code: string; details: { field: string; reason: string }[] };
  }
  throw new Error('not refused');
};

describe('resolveTarget', () => {
  const dns = table({
    'hooks.example.com': ['93.184.216.34'],
    'rebind.example.com': ['93.184.216.34', '10.0.0.5'],
    'v6.example.com': ['2606:4700:4700::1111'],
    'mapped.example.com': ['::ffff:169.254.169.254'],
  });

  it('pins the request to the first address checked, when every address is public', async () => {
    const target = await resolveTarget('https://hooks.example.com/topdog?x=1', false, dns);
    expect(target).toMatchObject({ address: '93.184.216.34', family: 4 });
    expect(target.url.hostname).toBe('hooks.example.com');
    expect(await resolveTarget('https://v6.example.com/', false, dns)).toMatchObject({ address: '2606:4700:4700::1111', family: 6 });
  });

  it('refuses a host with any non-public address, naming url and the address', async () => {
    for (const [url, shown] of [
      ['https://rebind.example.com/', '10.0.0.5, a private'],
      ['https://mapped.example.com/', 'link-local'],
      ['http://127.0.0.1:8080/', 'loopback'],
      ['http://[::1]/', 'loopback'],
      ['http://[fd00::1]/', 'unique-local'],
      ['http://100.64.1.1/', 'cgnat'],
      ['http://0.0.0.0/', 'unspecified'],
    ] as const) {
      const err = await refusal(resolveTarget(url, false, dns));
      expect(err.code, url).toBe('VALIDATION_FAILED');
      expect(err.details, url).toEqual([{ field: 'url', reason: expect.stringContaining(shown) }]);
    }
  });

  it('allows them with WEBHOOK_ALLOW_PRIVATE', async () => {
    expect(await resolveTarget('http://127.0.0.1:8080/', true, dns)).toMatchObject({ address: '127.0.0.1' });
    expect(await resolveTarget('https://rebind.example.com/', true, dns)).toMatchObject({ address: '93.184.216.34' });
  });

  it('refuses what is not an http(s) URL without credentials, and a host that does not resolve', async () => {
    for (const url of ['ftp://hooks.example.com/', 'http://user:pw@hooks.example.com/', 'nonsense', 'https://unknown.example.com/']) {
      const err = await refusal(resolveTarget(url, true, dns));
      expect(
        err.details.map((d) => d.field),
        url,
      ).toEqual(['url']);
    }
  });
});
