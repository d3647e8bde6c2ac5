import { describe, expect, it } from 'vitest';
import { listFiltersOf, NO_FILTERS } from './list-filters';

describe('the list filters', () => {
  it('sends only the filters set; dates are whole local days, both ends included', () => {
    expect(listFiltersOf(NO_FILTERS)).toEqual({});
    expect(listFiltersOf({ projectId: ' web ', state: 'COMPLETE', model: 'offline', createdFrom: '2026-12-01', createdTo: '2026-12-02' })).toEqual({
      project_id: 'web',
      state: 'COMPLETE',
      model: 'offline',
      created_after: new Date(new Date(2026, 11, 1).getTime() - 1).toISOString(),
      created_before: new Date(2026, 11, 3).toISOString(),
    });
  });
});
