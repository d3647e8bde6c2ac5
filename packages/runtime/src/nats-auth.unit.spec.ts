import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BaseConfig, ConfigError, parseConfig } from './config';
import { natsAuthenticator } from './nats-auth';
import { BUS_USERS, busInbox, busPermissions, type BusUser } from './nats-permissions';
import { generateBusPasswords, natsServerAuthConfig } from './nats-server-auth';

const settings = (env: Record<string, string>) => parseConfig(BaseConfig, env);

describe('NATS credentials from the settings', () => {
  it('connects without credentials when none are given', () => {
    expect(natsAuthenticator(settings({}))).toBeUndefined();
  });

  it('authenticates with NATS_USER and NATS_PASSWORD', () => {
    const auth = natsAuthenticator(settings({ NATS_USER: 'gateway', NATS_PASSWORD: 's3cret' }));
    expect(auth?.()).toEqual({ user: 'gateway', pass: 's3cret' });
  });

  it('refuses half a pair, both kinds at once, or an unreadable creds file, naming the variables', () => {
    expect(() => natsAuthenticator(settings({ NATS_USER: 'gateway' }))).toThrow(/NATS_PASSWORD: required with NATS_USER/);
    expect(() => natsAuthenticator(settings({ NATS_PASSWORD: 'x' }))).toThrow(/NATS_USER: required with NATS_PASSWORD/);
    expect(() => natsAuthenticator(settings({ NATS_CREDS: '/c', NATS_USER: 'u', NATS_PASSWORD: 'p' }))).toThrow(ConfigError);
    expect(() => natsAuthenticator(settings({ NATS_CREDS: '/nonexistent/x.creds' }))).toThrow(/NATS_CREDS: cannot read \/nonexistent\/x.creds \(ENOENT\)/);
  });

  it('reads a creds file at start-up', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'topdog-creds-')), 'user.creds');
    writeFileSync(file, 'not checked until it is used');
    expect(natsAuthenticator(settings({ NATS_CREDS: file }))).toBeTypeOf('function');
  });
});

describe('bus permissions', () => {
  const p = busPermissions('td');

  it('lets each request be sent by its senders and received by its answerer only', () => {
    expect(p.gateway.publish.allow).toContain('td.cmd.workflow.complete-phase');
    expect(p['llm-runner'].publish.allow).not.toContain('td.cmd.workflow.complete-phase');
    expect(p['llm-runner'].publish.allow).toContain('td.cmd.workflow.record-llm-result');
    expect(p.orchestrator.subscribe.allow).toContain('td.cmd.workflow.complete-phase');
    expect(p.projector.subscribe.allow).not.toContain('td.cmd.workflow.complete-phase');
    expect(p['llm-runner'].publish.allow).toContain('td.live.workflow.*.tokens');
    expect(p.gateway.subscribe.allow).toContain('td.live.workflow.*.tokens');
    expect(p.orchestrator.publish.allow).toContain('td.projector.warm');
    expect(p.projector.subscribe.allow).toContain('td.projector.warm');
    expect(p.gateway.publish.allow).not.toContain('td.projector.warm');
  });

  it('lets only the orchestrator append events, and the reader publish nothing but reads of the stream', () => {
    const appenders = Object.entries(p).filter(([, perms]) => perms.publish.allow.includes('td.events.>'));
    expect(appenders.map(([user]) => user)).toEqual(['orchestrator']);
    expect(p.reader.publish.allow.every((s) => s.startsWith('$JS.API.'))).toBe(true);
    expect(p.reader.publish.allow.some((s) => s.startsWith('$JS.API.CONSUMER.DELETE.'))).toBe(false);
  });

  it("gives the orchestrator's snapshots to the orchestrator alone", () => {
    const touching = Object.entries(p).filter(([, perms]) =>
      perms.publish.allow.some((s) => s.includes('td.snapshots.') || s.includes('TD_WORKFLOW_SNAPSHOTS')),
    );
    expect(touching.map(([user]) => user)).toEqual(['orchestrator']);
    expect(p.orchestrator.publish.allow).toEqual(expect.arrayContaining(['td.snapshots.>', '$JS.API.DIRECT.GET.TD_WORKFLOW_SNAPSHOTS.td.snapshots.>']));
  });

  it('gives each user its own inbox, and lets a service answer only those who send it requests (and operators)', () => {
    for (const user of BUS_USERS) {
      const inboxes = p[user].subscribe.allow.filter((s) => s.startsWith('_INBOX'));
      expect(inboxes).toEqual([`${busInbox(user)}.>`]);
    }
    const answersTo = (user: BusUser) => p[user].publish.allow.filter((s) => s.startsWith('_INBOX'));
    expect(answersTo('orchestrator')).toEqual(['_INBOX_gateway.>', '_INBOX_llm-runner.>', '_INBOX.>']);
    expect(answersTo('projector')).toEqual(['_INBOX_gateway.>', '_INBOX.>']);
    expect(answersTo('llm-runner')).toEqual(['_INBOX_gateway.>', '_INBOX_orchestrator.>', '_INBOX.>']);
    expect(answersTo('gateway')).toEqual([]);
    expect(answersTo('reader')).toEqual([]);
  });

  it('writes a nats-server configuration with every user, refusing clients without credentials unless told', () => {
    const passwords = generateBusPasswords();
    const config = natsServerAuthConfig('td', passwords);
    for (const user of ['gateway', 'orchestrator', 'projector', 'llm-runner', 'reader', 'admin']) expect(config).toContain(`"user": "${user}"`);
    expect(config).toContain(passwords.reader);
    expect(config).not.toContain('no_auth_user');
    expect(natsServerAuthConfig('td', passwords, { unauthenticatedAs: 'admin' })).toContain('no_auth_user: "admin"');
  });
});
