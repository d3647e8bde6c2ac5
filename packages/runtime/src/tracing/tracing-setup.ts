import { ConfigError } from '../config';
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

/** Which traces are kept: the OpenTelemetry sampler names (`OTEL_TRACES_SAMPLER`). */
export type SamplerName = 'always_on' | 'always_off' | 'traceidratio' | 'parentbased_always_on' | 'parentbased_always_off' | 'parentbased_traceidratio';
const SAMPLERS: readonly SamplerName[] = [
  'always_on',
  'always_off',
  'traceidratio',
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
];

export interface TracingSettings {
  /** Where traces go: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, or `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`. Unset: tracing is off. */
  endpoint: string | undefined;
  protocol: OtlpProtocol;
  sampler: SamplerName;
  /** The ratio of the ratio samplers (`OTEL_TRACES_SAMPLER_ARG`, 0 to 1; 1 by default). */
  ratio: number;
}

/**
 * Reads the standard OpenTelemetry variables. Tracing is on only where an OTLP endpoint is set,
 * and `OTEL_SDK_DISABLED=true` or `OTEL_TRACES_EXPORTER=none` turn it off again. The protocol is
 * `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` or `OTEL_EXPORTER_OTLP_PROTOCOL` (gRPC is not built in);
 * the sampler `OTEL_TRACES_SAMPLER` with `OTEL_TRACES_SAMPLER_ARG`. Bad values stop the start,
 * naming the variable, only where tracing is on.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  const off = env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none';
  const endpoint = off ? undefined : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || env.OTEL_EXPORTER_OTLP_ENDPOINT || undefined;
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || env.OTEL_EXPORTER_OTLP_PROTOCOL || 'http/protobuf';
  const sampler = (env.OTEL_TRACES_SAMPLER || 'parentbased_always_on') as SamplerName;
  const ratio = env.OTEL_TRACES_SAMPLER_ARG === undefined || env.OTEL_TRACES_SAMPLER_ARG === '' ? 1 : Number(env.OTEL_TRACES_SAMPLER_ARG);
  const settings = { endpoint, protocol: protocol as OtlpProtocol, sampler, ratio };
  if (!endpoint) return settings;
  const bad: string[] = [];
  const protocolVariable = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL' : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') bad.push(`${protocolVariable}: must be http/protobuf or http/json, not ${protocol}`);
  if (!SAMPLERS.includes(sampler)) bad.push(`OTEL_TRACES_SAMPLER: must be one of ${SAMPLERS.join(', ')}, not ${sampler}`);
  if (!(ratio >= 0 && ratio <= 1)) bad.push(`OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1, not ${env.OTEL_TRACES_SAMPLER_ARG}`);
  if (bad.length > 0) throw new ConfigError(`invalid configuration:\n${bad.map((line) => `  ${line}`).join('\n')}`);
  return settings;
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
    { context, diag, propagation, trace, DiagLogLevel },
    { TracerProvider, BatchSpanProcessor, AlwaysOnSampler, AlwaysOffSampler, TraceIdRatioBasedSampler, ParentBasedSampler },
    { AsyncLocalStorageContextManager },
    { W3CTraceContextPropagator },
    { resourceFromAttributes, detectResources, envDetector },
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
  // The SDK's own troubles (an endpoint that refuses, a full queue) in our log, at warn.
  diag.setLogger(
    { error: (m) => logger.error(`tracing: ${m}`), warn: (m) => logger.warn(`tracing: ${m}`), info: () => {}, debug: () => {}, verbose: () => {} },
    DiagLogLevel.WARN,
  );
  const root = { on: new AlwaysOnSampler(), off: new AlwaysOffSampler(), ratio: new TraceIdRatioBasedSampler(settings.ratio) };
  const sampler = {
    always_on: root.on,
    always_off: root.off,
    traceidratio: root.ratio,
    parentbased_always_on: new ParentBasedSampler({ root: root.on }),
    parentbased_always_off: new ParentBasedSampler({ root: root.off }),
    parentbased_traceidratio: new ParentBasedSampler({ root: root.ratio }),
  }[settings.sampler];
  // OTEL_RESOURCE_ATTRIBUTES adds to the resource; service.name stays topdog-<service>.
  const fromEnv = detectResources({ detectors: [envDetector] });
  const provider = new TracerProvider({
    sampler,
    resource: fromEnv.merge(resourceFromAttributes({ 'service.name': `topdog-${service}`, 'service.instance.id': instance })),
    // OTEL_BSP_SCHEDULE_DELAY: how often batches go out (the SDK's default, 5 s, where unset).
    spanProcessors: [
      new BatchSpanProcessor({ exporter, ...(Number(env.OTEL_BSP_SCHEDULE_DELAY) > 0 ? { scheduledDelayMillis: Number(env.OTEL_BSP_SCHEDULE_DELAY) } : {}) }),
    ],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  markTracingOn();
  logger.info(
    { protocol: settings.protocol, sampler: settings.sampler, ratio: settings.ratio },
    `tracing on: spans of topdog-${service} go to the OTLP endpoint`,
  );
  return { enabled: true, shutdown: () => provider.shutdown() };
}
