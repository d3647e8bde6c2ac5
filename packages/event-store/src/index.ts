export * from './event-store';
export { JetStreamEventStore, type JetStreamEventStoreOptions } from './jetstream/jetstream.event-store';
export { InMemoryEventStore, type InMemoryEventStoreOptions } from './memory/in-memory.event-store';
export { POSITION_STRIDE } from './position';
export { JetStreamEventQueue, type EventQueueOptions, type QueuedCommit } from './jetstream/jetstream.event-queue';
export { chainEvents, eventHash, verifyChain, type ChainBreak, type ChainedEvents, type ChainReport } from './hash-chain';
export { auditRecord } from './audit-record';
