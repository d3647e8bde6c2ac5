/** One row of a side-by-side diff: a line on the left (a), on the right (b), or both. */
export interface DiffRow {
  kind: 'same' | 'changed' | 'removed' | 'added' | 'gap';
  left: { number: number; text: string } | null;
  right: { number: number; text: string } | null;
}

const HUNK = /^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@/;

/**
 * A unified diff (as the compare API gives it, a → b) laid out side by side: context on both
 * sides, a run of removals beside the run of additions that replaced it, and a gap row between
 * hunks. File headers (`---`, `+++`, `Index:`, `===`) and "\ No newline" markers are skipped.
 */
export function sideBySide(unified: string): DiffRow[] {
  const rows: DiffRow[] = [];
  let leftNo = 0;
  let rightNo = 0;
  let removed: { number: number; text: string }[] = [];
  let added: { number: number; text: string }[] = [];
  let inHunk = false;
  const flush = () => {
    for (let i = 0; i < Math.max(removed.length, added.length); i++) {
      const left = removed[i] ?? null;
      const right = added[i] ?? null;
      rows.push({ kind: left && right ? 'changed' : left ? 'removed' : 'added', left, right });
    }
    removed = [];
    added = [];
  };
  for (const line of unified.split('\n')) {
    const hunk = HUNK.exec(line);
    if (hunk) {
      flush();
      if (rows.length > 0) rows.push({ kind: 'gap', left: null, right: null });
      leftNo = Number(hunk[1]);
      rightNo = Number(hunk[2]);
      inHunk = true;
      continue;
    }
    if (!inHunk || line.startsWith('\\')) continue;
    if (line.startsWith('-')) removed.push({ number: leftNo++, text: line.slice(1) });
    else if (line.startsWith('+')) added.push({ number: rightNo++, text: line.slice(1) });
    else if (line.startsWith(' ')) {
      flush();
      rows.push({ kind: 'same', left: { number: leftNo++, text: line.slice(1) }, right: { number: rightNo++, text: line.slice(1) } });
    }
  }
  flush();
  return rows;
}
