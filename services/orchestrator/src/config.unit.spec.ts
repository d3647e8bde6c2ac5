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
