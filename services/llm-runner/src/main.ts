import { runService } from '@topdog/runtime';
import { LlmRunnerConfig } from './config';
import { startLlmRunner } from './llm-runner';

void runService('llm-runner', LlmRunnerConfig, startLlmRunner);
