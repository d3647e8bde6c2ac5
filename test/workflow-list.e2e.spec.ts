import { TopDogApiError, TopDogClient, type ListFilters } from '@topdog/client';
import type { WorkflowListItemBody } from '@topdog/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http } from './support/http';
import { startSystem, type System } from './support/system';
import { TEST_ADMIN_KEY } from './support/credentials';
import { runTopdog } from './support/topdog-cli';

/** GET /api/ai-workflows over the real services: order, filters, paging under writes, errors, client and CLI. */
describe('workflow listing', () => {
  let system: System;
  let client: TopDogClient;
  /** Every workflow this suite created, in creation order (one at a time, so creation times ascend). */
  const created: { id: string; project: string; model: string }[] = [];
  let middle = '';

  const create = async (project: string, model = 'offline') => {
    const { workflow_id } = await client.initialize({ project_id: project, build_id: `b-${project}`, user_id: 'lister', model });
    created.push({ id: workflow_id, project, model });
    return workflow_id;
  };
  const all = async (filters: Omit<ListFilters, 'cursor'>) => {
    const got: WorkflowListItemBody[] = [];
    for await (const w of client.listAll(filters)) got.push(w);
    return got;
  };
  const ids = (items: { workflow_id: string }[]) => items.map((w) => w.workflow_id);
  const newestFirst = (items: typeof created) => items.map((w) => w.id).reverse();

  const topdog = (...args: string[]) => runTopdog(system.baseUrl, args);

  beforeAll(async () => {
    system = await startSystem();
    client = new TopDogClient({ baseUrl: system.baseUrl, apiKey: TEST_ADMIN_KEY });
    for (let i = 0; i < 12; i++) await create(i % 3 ? 'north' : 'south', i % 4 ? 'offline' : 'gpt-4');
    await new Promise((r) => setTimeout(r, 5));
    middle = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 12; i++) await create(i % 3 ? 'north' : 'south', i % 4 ? 'offline' : 'gpt-4');
  });
  afterAll(async () => {
    await system?.[Symbol.asyncDispose]();
  });

  it('lists what a command just wrote, newest first, with its latest status', async () => {
    const id = await create('south');
    await client.completePhase({ workflow_id: id, ai_response: 'requirements' });
    const page = await client.list({ limit: 3 });
    expect(page.workflows[0]).toMatchObject({
      workflow_id: id,
      project_id: 'south',
      build_id: 'b-south',
      user_id: 'lister',
      current_state: 'PLANNING',
      progress: 1 / 6,
      model: 'offline',
      cost_usd: 0,
    });
    expect(page.workflows[0]!.updated_at > page.workflows[0]!.created_at).toBe(true);
    expect(ids(page.workflows)).toEqual(newestFirst(created).slice(0, 3));
    expect(page.next_cursor).toEqual(expect.any(String));
  });

  it('pages through every workflow once, with each filter', async () => {
    expect(ids(await all({ limit: 5 }))).toEqual(newestFirst(created));
    expect(ids(await all({ project_id: 'north', limit: 4 }))).toEqual(newestFirst(created.filter((w) => w.project === 'north')));
    expect(ids(await all({ model: 'gpt-4', limit: 2 }))).toEqual(newestFirst(created.filter((w) => w.model === 'gpt-4')));
    expect(ids(await all({ state: 'PLANNING' }))).toEqual([created.at(-1)!.id]);
    expect(ids(await all({ created_before: middle, project_id: 'south', limit: 2 }))).toEqual(
      newestFirst(created.slice(0, 12).filter((w) => w.project === 'south')),
    );
    expect(ids(await all({ created_after: middle, limit: 7 }))).toEqual(newestFirst(created.slice(12)));
  });

  it('neither skips nor repeats a workflow while others are written concurrently', async () => {
    const before = newestFirst(created);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const [page] = await Promise.all([
        client.list({ limit: 4, cursor }),
        create('north'),
        client.completePhase({ workflow_id: created[seen.length % 12]!.id, ai_response: 'more' }),
      ]);
      seen.push(...ids(page.workflows));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => before.includes(id))).toEqual(before);
  });

  it('after the projector is killed with SIGKILL under writes, lists every acknowledged workflow as a rebuild does', async () => {
    const retrying = async <T>(call: () => Promise<T>): Promise<T> => {
      for (;;) {
        try {
          return await call();
        } catch (err) {
          if (!(err instanceof TopDogApiError && err.retryable)) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    let writing = true;
    const acknowledged = new Set<string>();
    const writer = async (project: string) => {
      while (writing) {
        const { workflow_id } = await retrying(() => client.initialize({ project_id: project, user_id: 'crash', model: 'offline' }));
        acknowledged.add(workflow_id);
        await retrying(() => client.completePhase({ workflow_id, ai_response: 'first' }));
      }
    };
    const writers = [writer('crash-a'), writer('crash-a'), writer('crash-b')];
    // Counted in writes, not time, so a slow machine makes the same test: some before the kill,
    // some while the projector is down or catching up, some after.
    const acknowledgedAtLeast = async (n: number) => {
      while (acknowledged.size < n) await new Promise((r) => setTimeout(r, 25));
    };
    await acknowledgedAtLeast(4);
    await system.kill('projector', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    await system.start('projector');
    await system.waitReady();
    await acknowledgedAtLeast(Math.max(11, acknowledged.size + 4));
    writing = false;
    await Promise.all(writers);

    expect(acknowledged.size).toBeGreaterThan(10);
    const listAll = () => retrying(() => all({ limit: 500 }));
    const afterRestart = await listAll();
    const listed = new Set(ids(afterRestart));
    expect([...acknowledged].filter((id) => !listed.has(id))).toEqual([]);
    expect(afterRestart.filter((w) => acknowledged.has(w.workflow_id)).every((w) => w.current_state === 'PLANNING')).toBe(true);

    await client.rebuildReadModels('listing e2e');
    await retrying(async () => {
      if (!(await client.readModelsProgress()).caught_up) throw new TopDogApiError(503, 'UNAVAILABLE', 'rebuilding');
    });
    expect(await listAll()).toEqual(afterRestart);
  });

  it('answers bad filters with a 400 naming each field', async () => {
    const bad = await http(system.baseUrl, 'GET', '/api/ai-workflows?limit=0&state=DONE&created_after=yesterday&colour=red');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    expect(bad.body.error.details.map((d: { field: string }) => d.field).sort()).toEqual(['colour', 'created_after', 'limit', 'state']);
    for (const [query, field] of [
      ['limit=501', 'limit'],
      ['limit=ten', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['cursor=%2B%2B', 'cursor'],
      ['project_id=', 'project_id'],
    ]) {
      const r = await http(system.baseUrl, 'GET', `/api/ai-workflows?${query}`);
      expect([r.status, r.body.error.details[0].field], query).toEqual([400, field]);
    }
    while (created.length <= 50) await create('west');
    const ok = await http(system.baseUrl, 'GET', '/api/ai-workflows');
    expect([ok.status, ok.body.workflows.length, typeof ok.body.next_cursor]).toEqual([200, 50, 'string']);
  });

  it('is in the OpenAPI document', async () => {
    const doc = await http(system.baseUrl, 'GET', '/docs/json');
    expect(doc.body.paths['/api/ai-workflows'].get.parameters.map((p: { name: string }) => p.name)).toEqual([
      'project_id',
      'state',
      'model',
      'created_after',
      'created_before',
      'limit',
      'cursor',
    ]);
  });

  it('topdog list: a table with progress, one page or --all, and --json', async () => {
    const page = await topdog('list', '--project', 'south', '--limit', '2');
    expect(page.code, page.stderr).toBe(0);
    expect(page.stdout).toMatch(/workflow\s+project\s+state\s+progress\s+model\s+created\s+updated\s+cost/);
    expect(page.stdout).toMatch(/south\s+PLANNING\s+\[##\.{8}\]\s+17%/);
    // The next page's command keeps the filters: typed as shown, it reads the rest of the same listing.
    const more = /more: topdog (list --project south --limit 2 --cursor [A-Za-z0-9_-]+)/.exec(page.stdout);
    expect(more, page.stdout).not.toBeNull();
    const next = await topdog(...more![1]!.split(' '));
    expect(next.code, next.stderr).toBe(0);
    expect(next.stdout).toMatch(/\bsouth\b/);
    expect(next.stdout).not.toMatch(/north/);

    const south = newestFirst(created.filter((w) => w.project === 'south'));
    const json = await topdog('--json', 'list', '--project', 'south', '--limit', '2');
    expect(ids(JSON.parse(json.stdout).workflows)).toEqual(south.slice(0, 2));
    const ndjson = await topdog('--json', 'list', '--project', 'south', '--limit', '2', '--all');
    expect(
      ndjson.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).workflow_id),
    ).toEqual(south);
    const everything = await topdog('list', '--project', 'south', '--all');
    expect(everything.stdout).toContain(`${south.length} workflows`);

    const bad = await topdog('list', '--state', 'DONE');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('state:');
  });
});
