import { describe, expect, it } from 'vitest';
import { apiSecurityHeaders, docsCsp } from './security-headers';

describe('security headers', () => {
  it("are helmet's for an API: nothing sniffed, framed, referred or loaded", () => {
    const headers = apiSecurityHeaders();
    expect(headers).toMatchObject({
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'",
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-resource-policy': 'same-origin',
    });
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers).not.toHaveProperty('x-powered-by');
  });

  it("keep the docs' own policy, without framing or an upgrade to https", () => {
    expect(docsCsp("default-src 'self'; frame-ancestors 'self'; upgrade-insecure-requests;")).toBe("default-src 'self'; frame-ancestors 'none';");
  });
});
