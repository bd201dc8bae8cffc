import { imageInfo } from '@imagegen/mock';
import { isFilePart, type RequestCase } from './cases.js';
import { isObject } from './spec.js';

/** One request the suite sent and what came back, kept so that a failure can be reproduced by hand. */
export interface Repro {
  /** The request as a curl command; the key is masked by the report's redactor. */
  curl: string;
  status: number | null;
  /** The start of the response: status line, content type and body (long strings shortened). */
  response: string;
}

const LONG = 120;
const EXCERPT = 800;

/** A curl command for a request: headers as sent (Authorization masked), a JSON body or `-F` parts for multipart. */
export function curlFor(
  method: string,
  url: string,
  headers: Record<string, string>,
  request: Pick<RequestCase, 'mediaType' | 'fields'> | undefined,
): string {
  const parts = [`curl -sS -X ${method} ${quote(url)}`];
  for (const [name, value] of Object.entries(headers)) {
    if (request?.mediaType.startsWith('multipart/') && name.toLowerCase() === 'content-type') continue;
    const shown =
      name.toLowerCase() === 'authorization' ? value.replace(/^(\S+\s+).+$/, '$1$OPENAI_API_KEY').replace(/^[^\s$]+$/, '***') : value;
    parts.push(`-H ${quote(`${name}: ${shown}`)}`);
  }
  const files: string[] = [];
  if (request?.mediaType.startsWith('multipart/')) {
    const field = (name: string, value: unknown): string[] => {
      if (isFilePart(value)) {
        const info = imageInfo(value.file);
        files.push(
          `# ${value.filename}: ${info ? `a ${info.width}x${info.height} ${info.format}` : `${value.file.length} bytes of ${value.contentType}`} the suite generated`,
        );
        return [`-F ${quote(`${name}=@${value.filename};type=${value.contentType}`)}`];
      }
      if (Array.isArray(value)) return value.flatMap((item) => field(name, item));
      if (isObject(value)) return Object.entries(value).flatMap(([k, v]) => field(`${name}[${k}]`, v));
      return [`-F ${quote(`${name}=${value === null ? '' : String(value)}`)}`];
    };
    for (const [name, value] of Object.entries(request.fields)) parts.push(...field(name, value));
  } else if (request) {
    parts.push(`--data ${quote(JSON.stringify(shorten(request.fields)))}`);
  }
  return [parts.join(' \\\n  '), ...new Set(files)].join('\n');
}

/** The start of a response for the report: long strings (base64 images) cut to their first characters. */
export function excerpt(status: number, contentType: string, text: string): string {
  let body = text;
  try {
    body = JSON.stringify(shorten(JSON.parse(text)));
  } catch {
    body = text.replace(/[A-Za-z0-9+/=]{200,}/g, (m) => `${m.slice(0, LONG)}…(${m.length} chars)`);
  }
  const head = `HTTP ${status} ${contentType || '(no content-type)'}`;
  return `${head}\n${body.length > EXCERPT ? `${body.slice(0, EXCERPT)}…` : body}`;
}

function shorten(value: unknown): unknown {
  if (typeof value === 'string') return value.length > LONG ? `${value.slice(0, LONG)}…(${value.length} chars)` : value;
  if (Array.isArray(value)) return value.map(shorten);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shorten(v)]));
  return value;
}

function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
