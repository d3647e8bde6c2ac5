/** A UTF-16 surrogate without its pair: JSON may carry one (`"\ud800"`), but it is no character. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The path of the first string (a value or a key) in a parsed JSON body that holds a lone
 * surrogate, or undefined when there is none. Such a string cannot be stored: the event hash's
 * canonical JSON refuses it. Walked with a stack, not recursion, so any depth is safe.
 */
export function firstIllFormedString(value: unknown): string | undefined {
  const stack: [unknown, string][] = [[value, '']];
  while (stack.length > 0) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) return path || '(body)';
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => stack.push([item, `${path}[${i}]`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, item] of Object.entries(v)) {
        const at = path ? `${path}.${key}` : key;
        if (LONE_SURROGATE.test(key)) return at;
        stack.push([item, at]);
      }
    }
  }
  return undefined;
}
