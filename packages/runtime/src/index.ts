export * from './config';
export * from './logger';
export * from './instance-id';
export * from './nats-connection';
export * from './shutdown';
export * from './reply';
export * from './nest-request';
export * from './run-service';
