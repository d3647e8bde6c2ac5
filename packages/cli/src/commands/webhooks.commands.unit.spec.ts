import { describe, expect, it } from 'vitest';
import { webhookUrlArgs } from './webhooks.commands';

describe('webhookUrlArgs', () => {
  it("renames --url after `webhooks create` only, leaving the gateway's --url before it", () => {
    const argv = ['node', 'topdog', '--url', 'http://gw', 'webhooks', 'create', '--url', 'https://hook', '--events', 'X', '--project', 'p'];
    expect(webhookUrlArgs(argv)).toEqual([
      'node',
      'topdog',
      '--url',
      'http://gw',
      'webhooks',
      'create',
      '--webhook-url',
      'https://hook',
      '--events',
      'X',
      '--project',
      'p',
    ]);
    expect(webhookUrlArgs(['node', 'topdog', 'webhooks', 'create', '--url=https://hook'])).toEqual([
      'node',
      'topdog',
      'webhooks',
      'create',
      '--webhook-url=https://hook',
    ]);
    expect(webhookUrlArgs(['node', 'topdog', 'status', 'x', '--url', 'http://gw'])).toEqual(['node', 'topdog', 'status', 'x', '--url', 'http://gw']);
  });
});
