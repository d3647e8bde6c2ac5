/** A value at one path of two JSON values that differs (undefined where a side lacks the path). */
export interface ResultDifference {
  path: string;
  a: unknown;
  b: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const join = (path: string, key: string): string => (path === '' ? key : `${path}.${key}`);

/**
 * Where two structured results differ, as JSON paths (`tests.passed`, `files[2]`): objects are
 * compared key by key, arrays element by element; any other difference is a leaf. Pure.
 */
export function resultDifferences(a: unknown, b: unknown, path = ''): ResultDifference[] {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((key) => resultDifferences(a[key], b[key], join(path, key)));
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return Array.from({ length: Math.max(a.length, b.length) }, (_, i) => resultDifferences(a[i], b[i], `${path}[${i}]`)).flat();
  }
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [{ path: path === '' ? '(result)' : path, a, b }];
}
