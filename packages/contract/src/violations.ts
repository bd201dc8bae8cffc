import { isObject } from './spec.js';

export type ViolationSource = 'ajv' | 'prism' | 'suite';

/** One way a request, response or stream event departs from the spec (or from expected behaviour). */
export interface Violation {
  /** What was checked: `body`, `header x-request-id`, `status`, `event[1]`, `stream`, `request`, … */
  where: string;
  /** JSON pointer inside `where`, e.g. `/data/0/b64_json`; empty for the whole thing. */
  path: string;
  message: string;
  /** Who found it: our own Ajv validation, Prism's `sl-violations` header, or the suite's own logic. */
  sources: ViolationSource[];
  severity: 'error' | 'warning';
}

export function violation(where: string, path: string, message: string, source: ViolationSource = 'suite'): Violation {
  return { where, path, message, sources: [source], severity: 'error' };
}

export function formatViolation(v: Violation): string {
  const location = v.path ? `${v.where} ${v.path}` : v.where;
  const warn = v.severity === 'warning' ? ' (warning)' : '';
  return `${location}: ${v.message}${warn} [${v.sources.join('+')}]`;
}

/** Merges violations that describe the same thing (same place and message) found by different sources. */
export function mergeViolations(list: Violation[]): Violation[] {
  const byKey = new Map<string, Violation>();
  for (const v of list) {
    const key = `${v.where}\u0000${v.path}\u0000${v.message}`;
    const seen = byKey.get(key);
    if (!seen) byKey.set(key, { ...v, sources: [...v.sources] });
    else for (const s of v.sources) if (!seen.sources.includes(s)) seen.sources.push(s);
  }
  return [...byKey.values()];
}

/**
 * Parses Prism's `sl-violations` response header (a JSON array of
 * `{location: string[], severity, code, message}`) into violations with JSON-pointer paths.
 * `response.body` violations get the same path and wording as the suite's Ajv output so that the
 * two merge.
 */
export function parseSlViolations(header: string | null): Violation[] {
  if (!header) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(header);
  } catch {
    return [violation('sl-violations', '', `header is not JSON: ${header.slice(0, 200)}`, 'prism')];
  }
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isObject).map((item) => {
    const location = Array.isArray(item.location) ? item.location.map(String) : [];
    const message = typeof item.message === 'string' ? item.message : JSON.stringify(item);
    const severity = String(item.severity).toLowerCase() === 'error' ? 'error' : 'warning';
    const [side = '', part, ...rest] = location;
    let where = location.join('.') || 'response';
    let segments = rest;
    if (part === 'body') where = side === 'request' ? 'request body' : 'body';
    else if (part === 'header' || part === 'headers') {
      where = `${side === 'request' ? 'request ' : ''}header ${rest.join('.')}`;
      segments = [];
    } else if (part !== undefined) segments = [part, ...rest];
    let text = message.replace(
      /^(Request|Response) (body|header|headers|query|path) ?(property|parameter)? ?[^ ]* ?(?=must |should |is |does )/,
      '',
    );
    const required = /^must have required property '(.+)'$/.exec(text);
    if (required?.[1] !== undefined) {
      segments = [...segments, required[1]];
      text = 'required property is missing';
    }
    const path = segments.length > 0 ? `/${segments.join('/')}` : '';
    return { where, path, message: text, sources: ['prism'], severity } satisfies Violation;
  });
}
