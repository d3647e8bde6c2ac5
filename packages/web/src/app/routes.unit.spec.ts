import { describe, expect, it } from 'vitest';
import { hrefOf, routeOf } from './routes';

const ID = '0b7c6e0e-6f53-4d0a-9b8e-1d2f3a4b5c6d';
const OTHER = '1c8d7f1f-7a64-4e1b-8c9f-2e3a4b5c6d7e';

describe('routes', () => {
  it('reads each page from the fragment, and writes the same fragment back', () => {
    for (const route of [{ page: 'workflows' }, { page: 'workflow', workflowId: ID }, { page: 'compare', a: ID, b: OTHER }] as const) {
      expect(routeOf(hrefOf(route))).toEqual(route);
    }
    expect(routeOf('')).toEqual({ page: 'workflows' });
    expect(routeOf('#/')).toEqual({ page: 'workflows' });
    expect(routeOf(`#/workflows/${ID.toUpperCase()}`)).toEqual({ page: 'workflow', workflowId: ID });
  });

  it('answers anything else with not-found, never an error', () => {
    for (const hash of ['#/workflows/not-an-id', '#/compare?a=1&b=2', `#/compare?a=${ID}`, '#/admin', '#main', `#/workflows/${ID}/extra`]) {
      expect(routeOf(hash)).toEqual({ page: 'not-found', hash });
    }
  });
});
