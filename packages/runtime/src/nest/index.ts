import 'reflect-metadata';
export * from './prefixed-nats.server';
export * from './pino-nest.logger';
export * from './health.controller';
