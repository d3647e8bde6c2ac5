import { runService } from '@topdog/runtime';
import { ProjectorConfig } from './config';
import { startProjector } from './projector';

void runService('projector', ProjectorConfig, startProjector);
