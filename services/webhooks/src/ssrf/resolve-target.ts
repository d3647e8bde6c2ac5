import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TopDogError } from '@topdog/contracts';
import { classifyAddress } from './address-class';

/** Where a webhook's request goes: the URL, and the one address it was checked against. */
export interface CheckedTarget {
  url: URL;
  address: string;
  family: 4 | 6;
}

const refuse = (reason: string) => new TopDogError('VALIDATION_FAILED', 'invalid webhook url', [{ field: 'url', reason }]);

export type Resolve = (host: string) => Promise<{ address: string; family: number }[]>;

const systemResolve: Resolve = (host) => lookup(host, { all: true, verbatim: true });

/**
 * Resolves a webhook URL's host and checks every address it resolves to: any that is not public
 * (loopback, private, link-local, unique-local, CGNAT, reserved…) refuses the URL unless
 * `allowPrivate`. The request is then made to the first address checked, never resolved again,
 * so a DNS answer that changes between the check and the connection cannot redirect it.
 */
export async function resolveTarget(raw: string, allowPrivate: boolean, resolve: Resolve = systemResolve): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse('must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw refuse('must be an http or https URL');
  if (url.username || url.password) throw refuse('must not carry credentials');
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: { address: string; family: number }[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch (err) {
      throw refuse(`its host ${host} does not resolve (${(err as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
  }
  if (addresses.length === 0) throw refuse(`its host ${host} does not resolve`);
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (kind === 'invalid') throw refuse(`its host resolves to ${address}, not an IP address`);
    if (kind !== 'public' && !allowPrivate) {
      throw refuse(`its host resolves to ${address}, a ${kind} address; webhooks go only to public addresses (WEBHOOK_ALLOW_PRIVATE=true allows others)`);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
