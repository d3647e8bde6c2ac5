// The NestJS floors' NATS side: a Nest microservice on Nest's NATS transport as our services run
// it (our PrefixedNatsServer: Nest's transport with our subject prefix, here without metrics or
// tracing). It answers each status query with a workflow's status as the projector holds one (a
// new workflow's, some 1 KB), and each command with one JetStream publish of it and its ack, as
// the bare writer does (the position written). No validation, state, decision or read model. See
// framework-server.ts.
import 'reflect-metadata';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Controller, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { WorkflowStatus } from '@topdog/contracts';
import { PrefixedNatsServer } from '@topdog/runtime/nest';
import { commandSubject, ensureCommandsStream, FRAMEWORK_COMMAND_PATTERN, FRAMEWORK_STATUS_PATTERN, FRAMEWORK_PREFIX, PAYLOAD } from './baseline-subjects';

/** A new workflow's status (typed, so that it keeps the schema's shape as it changes). */
const STATUS: WorkflowStatus = {
  workflowId: PAYLOAD.workflowId,
  projectId: 'default',
  buildId: null,
  userId: null,
  currentState: 'DISCOVERY',
  progress: 0,
  completedPhases: [],
  nextRole: 'Q_ASSISTANT',
  isComplete: false,
  awaitingApproval: null,
  cancelled: null,
  model: 'gpt-4',
  models: { Q_ASSISTANT: 'gpt-4', CODE_WRITER: 'gpt-4', TEST_AUDITOR: 'gpt-4', VERIFIER: 'gpt-4', RELEASE_MANAGER: 'gpt-4' },
  promptVersions: {
    Q_ASSISTANT: 'q_assistant@48fa4b69d3b2',
    CODE_WRITER: 'code_writer@6cf83a91bf56',
    TEST_AUDITOR: 'test_auditor@5efc7115a28b',
    VERIFIER: 'verifier@7073b7657582',
    RELEASE_MANAGER: 'release_manager@69207c83e6f9',
  },
  forkedFrom: null,
  revision: 0,
  position: 1,
  createdAt: '2026-12-06T10:00:00.000Z',
  updatedAt: '2026-12-06T10:00:00.000Z',
  usage: {
    total: { calls: 0, failedCalls: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, costUsd: 0, unpricedCalls: 0 },
    byPhase: {},
    byModel: {},
    budget: { maxCostUsd: null, maxTokens: null, remainingCostUsd: null, remainingTokens: null },
  },
  llm: { autoAdvance: false, running: null, lastCall: null, stopped: null },
};

@Controller()
class StatusController {
  @MessagePattern(FRAMEWORK_STATUS_PATTERN)
  status(@Payload() _query: unknown): unknown {
    return STATUS;
  }
}

const nc = await connect({ servers: process.env.NATS_URL, noAsyncTraces: true });
await ensureCommandsStream(await jetstreamManager(nc));
const js = jetstream(nc);
const encoder = new TextEncoder();

@Controller()
class CommandController {
  private n = 0;

  @MessagePattern(FRAMEWORK_COMMAND_PATTERN)
  async command(@Payload() command: unknown): Promise<number> {
    const ack = await js.publish(commandSubject(this.n++ % 1000), encoder.encode(JSON.stringify(command)));
    return ack.seq;
  }
}

@Module({ controllers: [StatusController, CommandController] })
class ResponderModule {}

const app = await NestFactory.createMicroservice(ResponderModule, { strategy: new PrefixedNatsServer(nc, FRAMEWORK_PREFIX, 'framework'), logger: false });
await app.listen();
await nc.flush();
process.stdout.write('ready\n');
