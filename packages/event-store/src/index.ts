export * from './event-store';
export { JetStreamEventStore, type JetStreamEventStoreOptions } from './jetstream/jetstream.event-store';
export { POSITION_STRIDE } from './jetstream/commit-codec';
export { JetStreamEventQueue, type EventQueueOptions, type QueuedCommit } from './jetstream/jetstream.event-queue';
export { eventHash, verifyChain, type ChainBreak, type ChainReport } from './hash-chain';
