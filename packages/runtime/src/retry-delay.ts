import { backoffMs } from '@topdog/contracts';

/** @deprecated use `backoffMs` from the contracts: kept until the projector's loop moves to it. */
export const retryDelayMs = (attempt: number): number => backoffMs(attempt);
