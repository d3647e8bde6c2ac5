import {
  context,
  propagation,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

export { context, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span };

/** Whether this process exports traces (see `startTracing`). Off, every helper here does nothing and costs nothing. */
let enabled = false;
export const tracingOn = (): boolean => enabled;
/** Set by `startTracing` once the SDK is registered. */
export const markTracingOn = (): void => void (enabled = true);

/** A context's span when tracing is on and the span is sampled (kept): undefined otherwise. */
function sampledSpan(ctx: Context): Span | undefined {
  const span = enabled ? trace.getSpan(ctx) : undefined;
  return span && (span.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0 ? span : undefined;
}

/** Whether tracing is on and a sampled span is active: work done now belongs to a trace. */
export const inTrace = (): boolean => sampledSpan(context.active()) !== undefined;

/** The tracer every TopDog span comes from. */
export const tracer = () => trace.getTracer('topdog');

/** NATS message headers as the propagator reads and writes them. */
interface NatsHeaders {
  get(key: string): string;
  set(key: string, value: string): void;
  keys(): string[];
}
const natsSetter: TextMapSetter<NatsHeaders> = { set: (carrier, key, value) => carrier.set(key, value) };
const natsGetter: TextMapGetter<NatsHeaders> = {
  get: (carrier, key) => carrier.get(key) || undefined,
  keys: (carrier) => carrier.keys(),
};

/** Writes the active trace context (`traceparent`) into NATS headers. */
export function injectIntoNatsHeaders(headers: NatsHeaders, ctx: Context = context.active()): void {
  propagation.inject(ctx, headers, natsSetter);
}

/** The trace context a NATS message carries (the root context when it carries none). */
export function contextFromNatsHeaders(headers: NatsHeaders | undefined): Context {
  return headers ? propagation.extract(context.active(), headers, natsGetter) : context.active();
}

/** The trace context an HTTP request carries in its headers (`traceparent`, `tracestate`). */
export function contextFromHttpHeaders(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/** The W3C `traceparent` of a context's span, to store with what it wrote; undefined when tracing is off or no span is active. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  // No sampled span, no trace to lead to (a `-00` traceparent would name one that was never kept).
  if (!sampledSpan(ctx)) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a stored `traceparent` names, so that work done later joins its trace. */
export function contextFromTraceparent(traceparent: string | undefined): Context {
  if (!traceparent) return context.active();
  return propagation.extract(context.active(), { traceparent });
}

/**
 * Runs `work` in a span (a child of `parent`, or of the active context), ending it when the work
 * settles and marking it as an error when it throws. With tracing off, runs `work` alone.
 */
export async function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  work: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!enabled) return work(undefined);
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(name, { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => work(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
