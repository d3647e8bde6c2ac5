import { TopDogApiError } from '@topdog/client';

/** Where a command writes: readable text by default, one JSON document (or NDJSON) with --json. */
export interface Output {
  json: boolean;
  /** A result: printed as JSON with --json, else through `human`. */
  result<T>(value: T, human: (value: T) => string): void;
  line(text: string): void;
  /** Partial text with no newline (live tokens). */
  write(text: string): void;
  error(err: unknown): void;
}

export function createOutput(json: boolean, stdout = process.stdout, stderr = process.stderr): Output {
  return {
    json,
    result(value, human) {
      stdout.write(json ? `${JSON.stringify(value)}\n` : `${human(value)}\n`);
    },
    line(text) {
      stdout.write(`${text}\n`);
    },
    write(text) {
      stdout.write(text);
    },
    error(err) {
      if (json) {
        const body =
          err instanceof TopDogApiError
            ? { error: { status: err.status, code: err.code, message: err.message, details: err.details } }
            : { error: { message: String((err as Error)?.message ?? err) } };
        stderr.write(`${JSON.stringify(body)}\n`);
        return;
      }
      if (err instanceof TopDogApiError) {
        stderr.write(`error: ${err.code}${err.status ? ` (HTTP ${err.status})` : ''}: ${err.message}\n`);
        for (const d of err.details) stderr.write(`  ${d.field}: ${d.reason}\n`);
      } else {
        stderr.write(`error: ${(err as Error)?.message ?? err}\n`);
      }
    },
  };
}

/** A plain text table: columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (c ?? '').padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(headers), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
}
