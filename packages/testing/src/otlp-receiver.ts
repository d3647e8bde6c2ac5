import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One span as an OTLP/HTTP JSON export carries it, with its service's name. */
export interface ReceivedSpan {
  service: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
  arrayValue?: { values?: OtlpValue[] };
}
type OtlpAttribute = { key: string; value: OtlpValue };

const valueOf = (v: OtlpValue): unknown =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? v.arrayValue?.values?.map(valueOf);
const attributesOf = (list: OtlpAttribute[] | undefined) => Object.fromEntries((list ?? []).map((a) => [a.key, valueOf(a.value)]));

/**
 * An OTLP/HTTP receiver on loopback, in the test's process: what the services' exporters post to
 * `/v1/traces`. JSON exports are decoded span by span; protobuf ones are counted (their bytes are
 * not decoded here).
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  /** Content types of every export received. */
  readonly contentTypes: string[] = [];

  private readonly server: Server;
  private address = '';

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.receive(req.url ?? '', String(req.headers['content-type'] ?? ''), Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
  }

  /** `http://127.0.0.1:<port>`: the OTLP endpoint to give the exporters. */
  get url(): string {
    return this.address;
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.address = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  private receive(path: string, contentType: string, body: Buffer): void {
    if (path !== '/v1/traces') return;
    this.contentTypes.push(contentType);
    if (!contentType.startsWith('application/json')) return;
    const { resourceSpans = [] } = JSON.parse(body.toString('utf8')) as {
      resourceSpans?: { resource?: { attributes?: OtlpAttribute[] }; scopeSpans?: { spans?: Record<string, unknown>[] }[] }[];
    };
    for (const rs of resourceSpans) {
      const name = attributesOf(rs.resource?.attributes)['service.name'];
      const service = typeof name === 'string' ? name : '';
      for (const scope of rs.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          this.spans.push({
            service,
            traceId: String(span.traceId),
            spanId: String(span.spanId),
            parentSpanId: typeof span.parentSpanId === 'string' ? span.parentSpanId : '',
            name: String(span.name),
            kind: Number(span.kind),
            attributes: attributesOf(span.attributes as OtlpAttribute[] | undefined),
          });
        }
      }
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
