import { AuditRecordBody } from '@topdog/contracts';
import { InvalidArgumentError } from 'commander';
import { readArgFile } from './file-arg';

/**
 * An NDJSON audit export's records, for commander to parse `--file` with: a file it cannot read,
 * a line that is not JSON or not an audit record, is an invalid argument (exit 2) naming the line.
 */
export function readAuditExport(path: string): AuditRecordBody[] {
  const lines = readArgFile(path).split('\n');
  const records: AuditRecordBody[] = [];
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new InvalidArgumentError(`${path} line ${i + 1} is not JSON: ${(err as Error).message}`);
    }
    const parsed = AuditRecordBody.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new InvalidArgumentError(`${path} line ${i + 1} is not an audit record: ${issue.path.join('.') || '(the record)'}: ${issue.message}`);
    }
    records.push(parsed.data);
  });
  return records;
}
