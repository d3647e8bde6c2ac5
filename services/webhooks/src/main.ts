import { runService } from '@topdog/runtime';
import { WebhooksConfig } from './config';
import { startWebhooks } from './webhooks';

void runService('webhooks', WebhooksConfig, startWebhooks);
