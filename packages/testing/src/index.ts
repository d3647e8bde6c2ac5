export * from './free-port';
export * from './nats-server';
export * from './fake-llm-server';
export * from './otlp-receiver';
