import { describe, expect, it } from 'vitest';
import { tracingSettings } from './tracing-setup';

describe('tracing settings from the OTEL_* variables', () => {
  it('is off without an endpoint, and off again with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingSettings({}).endpoint).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' }).endpoint).toBe('http://127.0.0.1:4318');
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' }).endpoint).toBe('http://127.0.0.1:4318/v1/traces');
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' }).endpoint).toBeUndefined();
    expect(tracingSettings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' }).endpoint).toBeUndefined();
  });

  it('takes the protocol and the sampler, protobuf and parent-based always-on by default', () => {
    const on = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' };
    expect(tracingSettings(on)).toMatchObject({ protocol: 'http/protobuf', sampler: 'parentbased_always_on', ratio: 1 });
    expect(
      tracingSettings({ ...on, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' }),
    ).toMatchObject({ protocol: 'http/json', sampler: 'parentbased_traceidratio', ratio: 0.1 });
  });

  it('refuses bad values, naming each variable, only where tracing is on', () => {
    const bad = { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc', OTEL_TRACES_SAMPLER: 'sometimes', OTEL_TRACES_SAMPLER_ARG: '2' };
    expect(() => tracingSettings({ ...bad, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toThrow(
      /OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json, not grpc\n {2}OTEL_TRACES_SAMPLER: .*\n {2}OTEL_TRACES_SAMPLER_ARG: must be a ratio from 0 to 1, not 2/,
    );
    // A deployment-wide setting does not stop a service that does not trace.
    expect(tracingSettings(bad).endpoint).toBeUndefined();
  });
});
