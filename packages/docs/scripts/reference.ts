// The API reference page, generated from the merged spec as Markdown: each operation once (document
// order), its request schemas as tables, its responses and stream events, the samples that declare it,
// a curl command, and a Try-it console.
import { curlFor, fileFields } from './code-samples.js';
import type { SampleMeta } from './sample-meta.js';
import { deref, isObject, type JsonObject, mediaExamples, operations } from './spec.js';
import { code, fence, oneLine, propertiesList, prose, requestExamples, streamEvents } from './spec-markdown.js';

/**
 * Where Try-it sends by default: the local `@imagegen/mock` started as the reference page says
 * (`npx imagegen-mock --port 4010`, which prints this URL). The reader can type any other base URL.
 */
export const DEFAULT_TRY_BASE_URL = 'http://127.0.0.1:4010/v1';

/** Long strings (base64 images) in examples are shortened so the example stays readable. */
export function readableJson(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => (typeof v === 'string' && v.length > 96 ? `${v.slice(0, 32)}… (${v.length} characters)` : v),
    2,
  );
}

const toBase64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

/** What the Try-it console needs of one operation (passed to the Vue component as base64 JSON). */
export interface TryItConfig {
  operationId: string;
  method: string;
  path: string;
  defaultBaseUrl: string;
  bodies: Array<{ mediaType: string; example: unknown; files: Array<{ name: string; multiple: boolean }> }>;
}

export function referenceMarkdown(doc: JsonObject, samples: SampleMeta[]): string {
  const parts: string[] = [];
  const info = isObject(doc.info) ? doc.info : {};
  parts.push(
    `The ${String(info.title ?? 'API')} ${code(String(info.version ?? ''))}, rendered from the merged spec ([openapi.json](/openapi.json)). Each operation shows its request, responses, stream events, samples and a console that sends it to a server of your choice: by default the local mock, started with ${code('npx imagegen-mock --port 4010')} (it prints its URL), or any base URL you type. The key you type there stays in the page: it is never stored or logged.`,
  );
  for (const op of operations(doc)) {
    const id = op.operationId;
    const node = op.node;
    const summary = typeof node.summary === 'string' ? node.summary : id;
    const deprecated = node.deprecated === true;
    parts.push(`## ${summary}${deprecated ? ' <Badge type="danger" text="deprecated" />' : ''} {#${id}}`);
    const method = typeof node['x-imagegen-method'] === 'string' ? ` · client: ${code(`images.${node['x-imagegen-method']}`)}` : '';
    parts.push(`${code(`${op.method.toUpperCase()} ${op.path}`)} · operationId ${code(id)}${method}`);
    if (deprecated) parts.push(`::: danger Deprecated\nThe spec marks this operation deprecated.\n:::`);
    if (typeof node.description === 'string') parts.push(prose(node.description.trim()));

    const bodies = requestExamples(doc, id);
    if (bodies.length) {
      parts.push(`### Request body {#${id}-request}`);
      for (const body of bodies) {
        parts.push(`#### ${code(body.mediaType)} {#${id}-request-${body.mediaType.replace(/\W+/g, '-')}}`);
        parts.push(propertiesList(doc, body.schema));
      }
    }

    parts.push(`### Responses {#${id}-responses}`);
    const responses = isObject(node.responses) ? node.responses : {};
    const rows = Object.entries(responses).map(([status, r]) => {
      const res = deref(doc, r);
      const description = isObject(res) && typeof res.description === 'string' ? oneLine(res.description) : '';
      const media = isObject(res) && isObject(res.content) ? ` · ${Object.keys(res.content).map(code).join(', ')}` : '';
      return `- **${code(status)}**${media}${description ? `<br>\n  ${description}` : ''}`;
    });
    parts.push(`<div class="spec-properties">\n\n${rows.join('\n')}\n\n</div>`);
    const ok = deref(doc, responses['200']);
    const okContent = isObject(ok) && isObject(ok.content) ? ok.content : {};
    const json = mediaExamples(doc, okContent['application/json'])[0];
    if (json)
      parts.push(
        `Example ${code('200')} response (${code(json.name)}, long strings shortened):\n\n\`\`\`json\n${readableJson(json.value)}\n\`\`\``,
      );

    const events = streamEvents(doc, id);
    if (events.length) {
      parts.push(`### Stream events {#${id}-events}`);
      parts.push(
        `With ${code('stream: true')} the answer is ${code('text/event-stream')}; each message's ${code('event:')} is its ${code('type')}:`,
      );
      for (const e of events) {
        parts.push(`#### ${code(e.type)} {#${id}-event-${e.type.replace(/\W+/g, '-')}}`);
        if (typeof e.schema.description === 'string') parts.push(prose(e.schema.description.trim()));
        parts.push(propertiesList(doc, e.schema));
      }
    }

    parts.push(`### Samples {#${id}-samples}`);
    // The shortest (simplest) sample first.
    const mine = samples.filter((s) => s.operationId === id).sort((a, b) => a.source.length - b.source.length);
    const tabs = [...mine.map((s) => fence(s.source, `ts [${s.name}]`)), fence(curlFor(doc, op), 'sh [curl]')];
    parts.push(`::: code-group\n\n${tabs.join('\n\n')}\n\n:::`);

    parts.push(`### Try it {#${id}-try}`);
    const config: TryItConfig = {
      operationId: id,
      method: op.method.toUpperCase(),
      path: op.path,
      defaultBaseUrl: DEFAULT_TRY_BASE_URL,
      bodies: bodies.map((b) => ({
        mediaType: b.mediaType,
        example: stripFiles(doc, b.schema, b.examples[0]?.value ?? {}),
        files: b.mediaType === 'multipart/form-data' ? fileFields(doc, b.schema) : [],
      })),
    };
    parts.push(`<TryIt config="${toBase64(config)}" />`);
  }
  return parts.join('\n\n');
}

/** A multipart example without its file fields (their examples are file names; the console asks for the files). */
function stripFiles(doc: JsonObject, schema: unknown, example: unknown): unknown {
  if (!isObject(example)) return example;
  const files = new Set(fileFields(doc, schema).map((f) => f.name));
  return Object.fromEntries(Object.entries(example).filter(([k]) => !files.has(k)));
}
