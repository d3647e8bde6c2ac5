import type { Logger } from '../logger';
import { markTracingOn } from './trace-context';

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is buffered, then stops: called at shutdown. */
  shutdown(): Promise<void>;
}

const OFF: Tracing = { enabled: false, shutdown: () => Promise.resolve() };

/** How the spans travel: OTLP over HTTP, as protobuf (the OpenTelemetry default) or JSON. */
export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface TracingSettings {
  /** Where traces go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Unset: tracing is off. */
  endpoint: string | undefined;
  protocol: OtlpProtocol;
}

/**
 * Reads the standard OpenTelemetry variables. Tracing is on only where an OTLP endpoint is set,
 * and `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again. The protocol is
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL`; gRPC is not built in.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const off = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  const endpoint = off ? undefined : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    throw new Error(`invalid configuration:\n  OTEL_EXPORTER_OTLP_PROTOCOL: must be http/protobuf or http/json, not ${protocol}`);
  }
  return { endpoint, protocol };
}

/**
 * Starts exporting this process's spans when the settings ask for it: a tracer provider with
 * `service.name` `topdog-<service>`, W3C trace context, spans batched to the OTLP endpoint. The
 * SDK and exporter are loaded only then: with tracing off nothing of them is created, and every
 * span helper returns at once.
 */
export async function startTracing(service: string, instance: string, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<Tracing> {
  const settings = tracingSettings(env);
  if (!settings.endpoint) return OFF;
  const [
    { context, propagation, trace },
    { TracerProvider, BatchSpanProcessor },
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes },
  ] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace'),
    import('@opentelemetry/context-async-hooks'),
    import('@opentelemetry/core'),
    import('@opentelemetry/resources'),
  ]);
  const { OTLPTraceExporter } =
    settings.protocol === 'http/json' ? await import('@opentelemetry/exporter-trace-otlp-http') : await import('@opentelemetry/exporter-trace-otlp-proto');
  // The exporter reads the endpoint, headers and timeout from the same OTEL_* variables.
  const exporter = new OTLPTraceExporter();
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': `topdog-${service}`, 'service.instance.id': instance }),
    // OTEL_BSP_SCHEDULE_DELAY: how often batches go out (the SDK's default, 5 s, where unset).
    spanProcessors: [
      new BatchSpanProcessor({ exporter, ...(Number(env.OTEL_BSP_SCHEDULE_DELAY) > 0 ? { scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) } : {}) }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  markTracingOn();
  logger.info({ protocol: settings.protocol }, `tracing on: spans of topdog-${service} go to the OTLP endpoint`);
  return { enabled: true, shutdown: () => provider.shutdown() };
}
