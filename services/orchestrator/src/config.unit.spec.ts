import { ConfigError, parseConfig } from '@topdog/runtime';
import { describe, expect, it } from 'vitest';
import { OrchestratorConfig } from './config';

describe('APPROVAL_REQUIRED', () => {
  const approval = (value?: string) => parseConfig(OrchestratorConfig, value === undefined ? {} : { APPROVAL_REQUIRED: value }).APPROVAL_REQUIRED;

  it('gates no phase by default, and the phases named, comma-separated, in any case, once each', () => {
    expect(approval()).toEqual([]);
    expect(approval('PLANNING,DEPLOYMENT')).toEqual(['PLANNING', 'DEPLOYMENT']);
    expect(approval(' planning , Deployment,PLANNING,')).toEqual(['PLANNING', 'DEPLOYMENT']);
  });

  it('stops the service on a name that is not a phase, naming the variable', () => {
    expect(() => approval('PLANNING,COMPLETE')).toThrow(ConfigError);
    expect(() => approval('PLANING')).toThrow(/APPROVAL_REQUIRED: not a phase: PLANING/);
  });
});

describe('snapshots', () => {
  const config = (env: Record<string, string> = {}) => parseConfig(OrchestratorConfig, env);

  it('are written every 200 ms, due once a workflow is 8 events past its last; 0 turns them off', () => {
    expect(config()).toMatchObject({ SNAPSHOT_INTERVAL_MS: 200, SNAPSHOT_AFTER_EVENTS: 8 });
    expect(config({ SNAPSHOT_INTERVAL_MS: '0', SNAPSHOT_AFTER_EVENTS: '1' })).toMatchObject({ SNAPSHOT_INTERVAL_MS: 0, SNAPSHOT_AFTER_EVENTS: 1 });
  });

  it('stops the service on a count under 1, naming the variable', () => {
    expect(() => config({ SNAPSHOT_AFTER_EVENTS: '0' })).toThrow(/SNAPSHOT_AFTER_EVENTS/);
    expect(() => config({ SNAPSHOT_AFTER_EVENTS: 'many' })).toThrow(ConfigError);
  });
});
