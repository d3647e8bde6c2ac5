import { Module, type DynamicModule } from '@nestjs/common';
import type { EventStore } from '@topdog/event-store';
import type { AdminApi } from '../admin/admin-api';
import type { ApiKeysApi } from '../auth/api-keys-api';
import type { AuditApi } from '../audit/audit-api';
import type { CompareApi } from '../compare/compare-api';
import type { LiveStreams } from '../live/live-streams';
import type { Readiness } from '../workflows/readiness';
import type { WorkflowApi } from '../workflows/workflow-api';
import type { WorkflowListApi } from '../listing/workflow-list-api';
import type { WebhooksApi } from '../webhooks/webhooks-api';
import { AdminController } from './admin.controller';
import { ApiKeysController } from './api-keys.controller';
import { AuditController } from './audit.controller';
import { CompareController } from './compare.controller';
import { EventsController } from './events.controller';
import { HealthController } from './health.controller';
import { LlmController } from './llm.controller';
import { PromptsController } from './prompts.controller';
import { ADMIN_API, API_KEYS_API, AUDIT_API, COMPARE_API, EVENT_STORE, LIVE_STREAMS, READINESS, WEBHOOKS_API, WORKFLOW_API, WORKFLOW_LIST_API } from './tokens';
import { WebhooksController } from './webhooks.controller';
import { WorkflowsController } from './workflows.controller';
import { WorkflowListController } from './workflow-list.controller';

export interface GatewayModuleDeps {
  api: WorkflowApi;
  listing: WorkflowListApi;
  audit: AuditApi;
  compare: CompareApi;
  admin: AdminApi;
  keys: ApiKeysApi;
  webhooks: WebhooksApi;
  live: LiveStreams;
  store: EventStore;
  readiness: Readiness;
}

/** Nest wiring only: the dependencies are built by the composition root and passed in. */
@Module({})
export class GatewayModule {
  static register(deps: GatewayModuleDeps): DynamicModule {
    return {
      module: GatewayModule,
      controllers: [
        WorkflowsController,
        WorkflowListController,
        AuditController,
        CompareController,
        EventsController,
        LlmController,
        PromptsController,
        AdminController,
        ApiKeysController,
        WebhooksController,
        HealthController,
      ],
      providers: [
        { provide: WORKFLOW_API, useValue: deps.api },
        { provide: WORKFLOW_LIST_API, useValue: deps.listing },
        { provide: READINESS, useValue: deps.readiness },
        { provide: AUDIT_API, useValue: deps.audit },
        { provide: COMPARE_API, useValue: deps.compare },
        { provide: ADMIN_API, useValue: deps.admin },
        { provide: API_KEYS_API, useValue: deps.keys },
        { provide: WEBHOOKS_API, useValue: deps.webhooks },
        { provide: LIVE_STREAMS, useValue: deps.live },
        { provide: EVENT_STORE, useValue: deps.store },
      ],
    };
  }
}
