import { Controller, Get, Headers, Inject, Param, Query, Req, Res } from '@nestjs/common';
import { TopDogError, WorkflowEvent, WorkflowIdParams } from '@topdog/contracts';
import type { EventStore } from '@topdog/event-store';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as z from 'zod';
import type { LiveStreams } from '../live/live-streams';
import { assertVisible } from '../workflows/workflow-visibility';
import { identityOf, scopeOf } from './authentication';
import { parse } from './parse';
import { EVENT_STORE, LIVE_STREAMS } from './tokens';

const STORED_EVENT_TYPES = WorkflowEvent.options.map((o) => o.shape.type.value);

/** `?types=A,B`: the event types a stream sends, each one of `allowed`. */
const typesOf = (allowed: string[], note = '') =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((t) => t.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.enum(allowed as [string, ...string[]], { error: `each must be one of ${allowed.join(', ')}${note}` })).min(1))
    .transform((types) => new Set(types));

const Position = z.coerce.number().int().nonnegative();
/** One workflow's stream: its stored events, and its live token deltas (`token`). */
const EventsQuery = z.strictObject({ after: Position.optional(), types: typesOf([...STORED_EVENT_TYPES, 'token']).optional() });
const AllEventsQuery = z.strictObject({
  after: Position.optional(),
  types: typesOf(STORED_EVENT_TYPES, " (token deltas stream only on a workflow's own /api/ai-workflows/{id}/events)").optional(),
  project_id: z.string().min(1).max(200).optional(),
});

/** Where a stream starts: after Last-Event-ID when a client reconnects, else after `?after=` (0: the whole history). */
function startAfter(lastEventId: string | undefined, after: number | undefined): number {
  if (lastEventId === undefined) return after ?? 0;
  const parsed = Position.safeParse(lastEventId);
  if (!parsed.success)
    throw new TopDogError('VALIDATION_FAILED', 'invalid request', [{ field: 'Last-Event-ID', reason: 'must be an event id (a position) this API sent' }]);
  return parsed.data;
}

/** Server-Sent Events: one workflow's events, or every workflow's, history then live. */
@Controller('api')
export class EventsController {
  constructor(
    @Inject(LIVE_STREAMS) private readonly live: LiveStreams,
    @Inject(EVENT_STORE) private readonly store: EventStore,
  ) {}

  @Get('ai-workflows/:workflow_id/events')
  async workflowEvents(
    @Param() params: unknown,
    @Query() query: unknown,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const { workflow_id } = parse(WorkflowIdParams, params, 'path');
    const q = parse(EventsQuery, query ?? {}, 'query');
    const after = startAfter(lastEventId, q.after);
    await assertVisible(this.store, workflow_id, scopeOf(req));
    const slot = this.live.admit(identityOf(req).actor);
    reply.hijack();
    await this.live.serve(slot, identityOf(req), req.raw, reply.raw, (feeds, sse, signal) =>
      feeds.workflow(workflow_id, { after, types: q.types }, sse, signal),
    );
  }

  @Get('events')
  async allEvents(@Query() query: unknown, @Headers('last-event-id') lastEventId: string | undefined, @Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const q = parse(AllEventsQuery, query ?? {}, 'query');
    const after = startAfter(lastEventId, q.after);
    const slot = this.live.admit(identityOf(req).actor);
    reply.hijack();
    await this.live.serve(slot, identityOf(req), req.raw, reply.raw, (feeds, sse, signal) =>
      feeds.all({ after, types: q.types, projectId: q.project_id, projects: scopeOf(req) }, sse, signal),
    );
  }
}
