import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeLlmServer, requestedSchema } from '@topdog/testing';
import { examplePhaseResult } from '@topdog/prompts';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchChromium } from './support/browser';
import { adminAuth } from './support/credentials';
import { http } from './support/http';
import { phaseDocument, phaseOf } from './support/phase-answers';
import { startSystem, type System } from './support/system';

const OPENAI_KEY = 'sk-e2e-dashboard-key-0123456789';
/** Where the screenshots go, for a person to look at after the run. */
const SCREENSHOTS = fileURLToPath(new URL('./output/dashboard/', import.meta.url));

/** Markup that would run if the page put it in as HTML: each sets window.__pwned. */
const HOSTILE = `<script>window.__pwned = 'script'</script><img src="x" onerror="window.__pwned = 'img'"> <b>bold?</b> [a link](javascript:window.__pwned='link')`;

/** A phase answer from the local OpenAI-wire server, with the hostile markup in its document. */
const hostileAnswer = (body: Record<string, unknown>): string => {
  const phase = phaseOf(body);
  const document = `${phaseDocument(phase)}\n\nFrom the local model: ${HOSTILE}`;
  const result = examplePhaseResult(phase, 'web');
  if (requestedSchema(body)) return JSON.stringify({ document, result });
  return `${document}\n\n\`\`\`json\n${JSON.stringify(result)}\n\`\`\`\n`;
};

const executablePath = chromiumPath();
if (!executablePath) {
  const message = "dashboard browser tests: SKIPPED, no Chromium (scripts/run.sh test installs Debian's chromium; or set CHROMIUM_BIN)";
  if (process.env.CI) throw new Error(`${message}: CI must run them`);
  console.warn(`\n*** ${message} ***\n`);
}

/**
 * The dashboard in a real headless Chromium against the five services as processes: sign in,
 * start a workflow on the offline model and watch it advance live, reject a gated phase with a
 * comment and see it re-run, approve it, verify the audit, fork onto a local OpenAI-wire model
 * and compare; markup in the requirements and in a model's answer stays text.
 */
describe.skipIf(!executablePath)('the web dashboard', () => {
  let system: System;
  let openai: FakeLlmServer;
  let browser: Browser & AsyncDisposable;
  let context: BrowserContext;
  let page: Page;
  let writerKey: string;
  /** Console errors and uncaught exceptions: a CSP refusal shows here. */
  const problems: string[] = [];
  let workflowId: string;

  const shot = (name: string) => page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    // Answers stream slowly enough (16 characters every 25 ms) for the page to show them coming.
    openai = await FakeLlmServer.start('openai', { apiKey: OPENAI_KEY, answer: hostileAnswer, otherwise: { kind: 'answer', chunkDelayMs: 25 } });
    system = await startSystem({ OPENAI_API_KEY: OPENAI_KEY, OPENAI_BASE_URL: openai.url, LLM_RETRY_BASE_MS: '20' });
    const key = await http(system.baseUrl, 'POST', '/api/admin/keys', { name: 'dashboard e2e', projects: ['web-e2e'], role: 'writer' }, adminAuth());
    expect(key.status, JSON.stringify(key.body)).toBe(201);
    writerKey = key.body.key;
    browser = await launchChromium(executablePath!);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    // (The browser's own note of each 4xx the page asked for is no problem: the tests make some on purpose.)
    page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // Only the gateway is ever asked for anything: everything the page needs is bundled.
    page.on('request', (r) => !r.url().startsWith(system.baseUrl) && problems.push(`request to another host: ${r.url()}`));
  });
  afterAll(async () => {
    await browser?.[Symbol.asyncDispose]();
    await system?.[Symbol.asyncDispose]();
    await openai?.close();
  });

  it('is served at / with a CSP that allows only its own origin, and asks for a credential', async () => {
    const response = await page.goto(`${system.baseUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    await expect.poll(() => page.getByLabel('API key').isVisible()).toBe(true);

    await page.getByLabel('API key').fill('tdk_not-a-key-the-gateway-knows-at-all-0123456789');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Not signed in: /);
    await shot('01-sign-in-refused');

    await page.getByLabel('API key').fill(writerKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('heading', { name: 'Workflows' }).isVisible()).toBe(true);
    // The key is kept in the tab's session storage, never in the address or the page.
    expect(await page.evaluate("sessionStorage.getItem('topdog.credential')")).toBe(writerKey);
    expect(page.url()).not.toContain(writerKey);
    expect(await page.content()).not.toContain(writerKey);
  });

  it('names the field a start request gets wrong, then starts a workflow on the offline model that advances live', async () => {
    await page.getByRole('button', { name: 'Start a workflow' }).click();
    await page.getByLabel('Project').first().fill('web-e2e');
    await page.getByLabel('Model').last().fill('offline');
    await page.getByLabel('Requirements').fill(`A sign-in page. ${HOSTILE}`);
    await page.getByLabel('PLANNING').check();
    await page.getByLabel('Max cost (USD)').fill('-3');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('budget.max_cost_usd: a number above 0');

    await page.getByLabel('Max cost (USD)').fill('');
    await page.getByRole('button', { name: 'Start', exact: true }).click();
    await page.waitForURL(/#\/workflows\/[0-9a-f-]{36}$/);
    workflowId = /#\/workflows\/([0-9a-f-]{36})$/.exec(page.url())![1]!;

    // DISCOVERY runs by the offline model and PLANNING's answer waits for approval: seen live, without a reload.
    const planning = page.locator('li[data-phase="PLANNING"]');
    await expect.poll(() => planning.getAttribute('data-standing'), { timeout: 30_000 }).toBe('awaiting-approval');
    expect(await page.locator('li[data-phase="DISCOVERY"]').getAttribute('data-standing')).toBe('done');
    expect(await page.getByText('Live', { exact: true }).isVisible()).toBe(true);

    // The requirements' markup is shown as text, and none of it ran.
    await page.locator('.requirements summary').click();
    expect(await page.locator('.requirements pre').textContent()).toContain('<script>window.__pwned');
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await shot('02-awaiting-approval');
  });

  it('rejects the held answer with a comment (the phase re-runs with it), then approves it and the workflow completes', async () => {
    await page.getByRole('button', { name: 'Reject…' }).click();
    await page.getByRole('button', { name: 'Reject', exact: true }).click();
    // A rejection needs its comment: said beside the field, nothing sent.
    await expect.poll(() => page.getByText('Comment for the role (reaches its next prompt): required').isVisible()).toBe(true);
    await page.getByLabel('Comment for the role (reaches its next prompt)').fill('Split the plan into two releases.');
    await page.getByRole('button', { name: 'Reject', exact: true }).click();

    // The rejection is in Q_ASSISTANT's conversation, and the re-run's prompt carries the comment.
    const conversation = page.locator('#conversation-panel');
    await expect.poll(() => conversation.textContent(), { timeout: 30_000 }).toContain('Rejected by');
    await expect.poll(() => conversation.locator('.entry.prompt').last().textContent(), { timeout: 30_000 }).toContain('Split the plan into two releases.');
    const planning = page.locator('li[data-phase="PLANNING"]');
    await expect.poll(() => planning.getAttribute('data-standing'), { timeout: 30_000 }).toBe('awaiting-approval');
    expect(await planning.textContent()).toContain('reopened 1×');

    await page.getByRole('button', { name: 'Approve PLANNING' }).click();
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 60_000 }).toBe('COMPLETE');
    for (const li of await page.locator('ol.timeline li').all()) expect(await li.getAttribute('data-standing')).toBe('done');
    await shot('03-complete');
  });

  it('shows each role conversation as safe markdown, tokens per phase, and verifies the audit trail', async () => {
    // Arrow keys move between the roles' tabs (keyboard use).
    await page.getByRole('tab', { name: /^Q_ASSISTANT/ }).focus();
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('tab', { name: /^CODE_WRITER/ }).getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#conversation-panel .entry.answer').count()).toBeGreaterThan(0);
    expect(await page.locator('#conversation-panel').textContent()).toContain('Offline answer for IMPLEMENTATION');

    // The chart's figures, as its table holds them: every phase called its model.
    await page.getByText('As a table').click();
    const rows = page.locator('table.spend tbody tr');
    expect(await rows.count()).toBe(6);
    for (const row of await rows.all()) expect(Number((await row.locator('td').nth(2).textContent())!.replace(/\D/g, ''))).toBeGreaterThan(0);
    expect(await page.locator('.chart canvas').count()).toBe(1);

    await page.getByRole('button', { name: 'Verify the hash chain' }).click();
    await expect.poll(() => page.getByTestId('verification').textContent()).toMatch(/^Verified: \d+ events, \d+ links intact/);
    await shot('04-audit-verified');
  });

  it('forks onto a local model from IMPLEMENTATION: its answers stream, their markup stays text, and compare shows the diff side by side', async () => {
    await page.getByRole('button', { name: 'Fork…' }).click();
    await page.getByLabel('Run anew from').selectOption('IMPLEMENTATION');
    await page.getByLabel('Model for the new run (empty: the same)').fill('gpt-4.1');
    await page.getByRole('button', { name: 'Fork', exact: true }).click();
    await page.waitForURL((url) => /#\/workflows\/[0-9a-f-]{36}$/.test(url.hash) && !url.hash.includes(workflowId));
    const forkId = /#\/workflows\/([0-9a-f-]{36})$/.exec(page.url())![1]!;
    // A running call's answer shows as the model streams it.
    await expect.poll(() => page.locator('.token-stream .streamed').textContent(), { timeout: 30_000 }).toMatch(/\S{8}/);
    await shot('05-fork-streaming');

    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 60_000 }).toBe('COMPLETE');
    expect(await page.locator('li[data-phase="PLANNING"]').textContent()).toContain('copied from the parent');
    await page.getByRole('tab', { name: /^CODE_WRITER/ }).click();
    const answer = page.locator('#conversation-panel .entry.answer').last();
    // The model's markup is text on the page: no element made of it, nothing of it ran.
    expect(await answer.textContent()).toContain('<script>window.__pwned');
    expect(await answer.locator('script, img, a[href^="javascript"]').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
    await shot('06-fork');
    // The README's picture of the workflow page (docs/images/dashboard-workflow.png is a copy).
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOTS, 'workflow-page.png') });

    await page.getByRole('link', { name: 'Compare with the parent' }).click();
    await page.waitForURL(/#\/compare\?/);
    const implementation = page.locator('section.phase-diff[data-phase="IMPLEMENTATION"]');
    await expect.poll(() => implementation.textContent(), { timeout: 15_000 }).toContain('answers differ');
    expect(await implementation.locator('td.removed').count()).toBeGreaterThan(0);
    expect(await implementation.locator('td.added').count()).toBeGreaterThan(0);
    expect(await implementation.locator('td.added').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('From the local model')]));
    expect(await page.locator('section.phase-diff[data-phase="DISCOVERY"]').textContent()).toContain('same answer');
    await shot('07-compare');
    expect(forkId).not.toBe(workflowId);
  });

  it('works at a phone width: no sideways scrolling, every field labelled', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${system.baseUrl}/#/workflows/${workflowId}`);
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 15_000 }).toBe('COMPLETE');
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    await shot('08-phone-workflow');
    await page.goto(`${system.baseUrl}/#/workflows`);
    await expect.poll(() => page.locator('table.workflows tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Start a workflow' }).click();
    // (Expressions page.evaluate runs in the browser, as text: this program's types have no DOM.)
    const unlabelled = await page.evaluate(
      "[...document.querySelectorAll('input, select, textarea')].filter((e) => e.labels.length === 0).map((e) => e.id || e.outerHTML)",
    );
    expect(unlabelled).toEqual([]);
    await shot('09-phone-list');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('lists the workflows a page at a time, filtered; a workflow it cannot see is an error, not a blank page', async () => {
    // 21 more workflows (started by hand: no model), so the list has two pages of 20.
    for (let i = 0; i < 21; i++) {
      const started = await http(
        system.baseUrl,
        'POST',
        '/api/ai-workflows/initialize',
        { project_id: 'web-e2e', user_id: `u${i}`, model: 'offline' },
        { authorization: `Bearer ${writerKey}` },
      );
      expect(started.status).toBe(200);
    }
    // (The list was open already: its Refresh button reads it again.)
    await page.getByRole('button', { name: 'Refresh' }).click();
    const rows = page.locator('table.workflows tbody tr');
    await expect.poll(() => rows.count()).toBe(20);
    await page.getByRole('button', { name: 'Next page' }).click();
    await expect.poll(() => rows.count()).toBe(3);
    expect(await page.getByText('Page 2').isVisible()).toBe(true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await expect.poll(() => rows.count()).toBe(20);

    await page.getByLabel('State').selectOption('COMPLETE');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(2);
    await page.locator('#filter-model').fill('gpt-4.1');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => rows.count()).toBe(1);
    expect(await rows.first().getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    await page.getByLabel('Created to').fill('2000-01-01');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await expect.poll(() => page.getByText('No workflows match.').isVisible()).toBe(true);
    await shot('10-filtered');

    await page.goto(`${system.baseUrl}/#/workflows/00000000-0000-4000-8000-000000000000`);
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/^Not found: /);

    // Moving to another page puts the focus on its content; on a fresh load the keyboard reaches
    // the skip link first, which leads there too.
    // The focus moves once the new page has rendered, after the click has returned.
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('main');
    await page.reload();
    await expect.poll(() => rows.count()).toBe(20);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Skip to content');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('main');
  });

  it('runs a phase by hand: run it, then accept the model answer, which completes it', async () => {
    const started = await http(
      system.baseUrl,
      'POST',
      '/api/ai-workflows/initialize',
      { project_id: 'web-e2e', user_id: 'by-hand', model: 'offline', auto_advance: false },
      { authorization: `Bearer ${writerKey}` },
    );
    await page.goto(`${system.baseUrl}/#/workflows/${started.body.workflow_id}`);
    await page.getByRole('button', { name: 'Run DISCOVERY' }).click();
    await page.getByRole('button', { name: 'Accept the answer and complete DISCOVERY' }).click({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 30_000 }).toBe('PLANNING');
    // The state, the phase list and the buttons render from the same answer but not in one frame: each is waited for.
    await expect.poll(() => page.locator('li[data-phase="DISCOVERY"]').getAttribute('data-standing'), { timeout: 5_000 }).toBe('done');
    await expect.poll(() => page.getByRole('button', { name: 'Run PLANNING' }).isEnabled(), { timeout: 5_000 }).toBe(true);
    await shot('11-by-hand');

    // The gateway goes away and comes back: the page says so, then resumes where it left off.
    await system.kill('gateway', 'SIGKILL');
    await expect.poll(() => page.getByText('Reconnecting…').isVisible(), { timeout: 15_000 }).toBe(true);
    await system.start('gateway');
    await expect.poll(() => page.getByText('Live', { exact: true }).isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByRole('button', { name: 'Run PLANNING' }).click();
    await page.getByRole('button', { name: 'Accept the answer and complete PLANNING' }).click({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 30_000 }).toBe('IMPLEMENTATION');
    // Sent back, PLANNING opens again with nothing to accept: its answer was the one sent back.
    await page.getByRole('button', { name: 'Send back…' }).click();
    await page.getByLabel('Phase to open again').selectOption('PLANNING');
    await page.getByLabel('Reason').fill('Plan the rollback too.');
    await page.getByRole('button', { name: 'Send back', exact: true }).click();
    await expect.poll(() => page.getByTestId('state').textContent(), { timeout: 30_000 }).toBe('PLANNING');
    await expect.poll(() => page.getByRole('button', { name: /^Accept the answer/ }).count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => page.getByRole('button', { name: 'Run PLANNING' }).isEnabled(), { timeout: 5_000 }).toBe(true);
    await expect.poll(() => page.locator('li[data-phase="PLANNING"]').getAttribute('data-standing'), { timeout: 5_000 }).toBe('current');
    // Every event once, in order, across the reconnection.
    await page.getByText(/^\d+ events$/).click();
    const revisions = (await page.locator('table.audit tbody tr td:first-child').allTextContents()).map(Number);
    expect(revisions).toEqual(revisions.map((_, i) => i));
  });

  it('signs out: the credential is gone from the tab, and the page asks again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByLabel('API key').isVisible()).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('topdog.credential')")).toBeNull();
    expect(await page.getByText('You are signed out.').isVisible()).toBe(true);
  });

  it('signs out by itself, saying why, when its key is revoked meanwhile', async () => {
    const key = await http(system.baseUrl, 'POST', '/api/admin/keys', { name: 'revoked soon', projects: ['web-e2e'], role: 'reader' }, adminAuth());
    await page.getByLabel('API key').fill(key.body.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Workflows', exact: true }).click();
    await expect.poll(() => page.locator('table.workflows tbody tr').count()).toBeGreaterThan(0);
    expect((await http(system.baseUrl, 'DELETE', `/api/admin/keys/${key.body.id}`, undefined, adminAuth())).status).toBe(204);
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByText('Your credential is no longer accepted: sign in again.').isVisible()).toBe(true);
    expect(await page.evaluate("sessionStorage.getItem('topdog.credential')")).toBeNull();
    expect(problems).toEqual([]);
  });
});
