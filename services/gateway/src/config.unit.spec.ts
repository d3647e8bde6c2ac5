import { parseConfig } from '@topdog/runtime';
import { describe, expect, it } from 'vitest';
import { GatewayConfig } from './config';

describe('the gateway settings', () => {
  it('serves the dashboard beside the bundle by default, from DASHBOARD_DIR when given, none when it is off', () => {
    expect(parseConfig(GatewayConfig, {}).DASHBOARD_DIR).toMatch(/dashboard\/$/);
    // An empty variable counts as unset, as every setting's does: the default.
    expect(parseConfig(GatewayConfig, { DASHBOARD_DIR: '' }).DASHBOARD_DIR).toMatch(/dashboard\/$/);
    expect(parseConfig(GatewayConfig, { DASHBOARD_DIR: '/srv/topdog-web' }).DASHBOARD_DIR).toBe('/srv/topdog-web');
    expect(parseConfig(GatewayConfig, { DASHBOARD_DIR: 'off' }).DASHBOARD_DIR).toBeUndefined();
  });

  it('keeps the SSE bound at 64 KiB or more, under which a waiting sender would overflow', () => {
    expect(parseConfig(GatewayConfig, {}).SSE_MAX_BUFFERED_BYTES).toBe(1024 * 1024);
    expect(parseConfig(GatewayConfig, { SSE_MAX_BUFFERED_BYTES: '65536' }).SSE_MAX_BUFFERED_BYTES).toBe(65536);
    expect(() => parseConfig(GatewayConfig, { SSE_MAX_BUFFERED_BYTES: '16384' })).toThrow(/SSE_MAX_BUFFERED_BYTES/);
  });
});
