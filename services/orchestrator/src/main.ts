import { runService } from '@topdog/runtime';
import { OrchestratorConfig } from './config';
import { startOrchestrator } from './orchestrator';

void runService('orchestrator', OrchestratorConfig, startOrchestrator);
