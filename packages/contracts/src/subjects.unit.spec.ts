import { describe, expect, it } from 'vitest';
import { categoryEventsSubject, eventSubject } from './subjects';
import { workflowStreamId } from './workflow/workflow.events';

describe('eventSubject', () => {
  it("puts a stream's category and id in two tokens, the id's own hyphens kept", () => {
    expect(eventSubject('topdog', workflowStreamId('0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b'))).toBe(
      'topdog.events.workflow.0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b',
    );
  });

  it("falls under its category's subjects", () => {
    const category = categoryEventsSubject('topdog', 'workflow');
    expect(category).toBe('topdog.events.workflow.>');
    expect(eventSubject('topdog', workflowStreamId('0b7c1f9e-3d2a-4e5f-9a8b-7c6d5e4f3a2b')).startsWith(category.slice(0, -1))).toBe(true);
  });
});
