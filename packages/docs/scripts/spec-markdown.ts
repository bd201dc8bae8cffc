// The directives guides use so that nothing the spec states is typed by hand. Each is an HTML comment,
// inline or on a line of its own, expanded into Markdown before VitePress parses the page:
//
//   <!-- sample: generate.ts -->                   the sample file as it is (a tab named after the file)
//   <!-- values: CreateImageRequest.quality -->    `low`, `medium`, … — the values the schema knows
//   <!-- default: CreateImageRequest.n -->         `1`
//   <!-- spec: CreateImageRequest.n maximum -->    10 — any keyword of a schema
//   <!-- route: createImage -->                    `POST /images/generations`
//   <!-- ref: createImage -->                      a link to the operation in the API reference
//   <!-- method: createImage -->                   `client.images.generate(params)`: the client method the spec names
//   <!-- events: createImage -->                   a table of the operation's stream events
//   <!-- properties: CreateImageRequest -->        a table of a schema's properties
//   <!-- operation: createImageVariation -->       the operation's route, status and description from the spec
//   <!-- example-images: Name … -->                the spec's example images
//   <!-- generated: reference -->                  a whole generated page (reference, sdk, changelog, performance)
import type { ExampleImage } from './example-images.js';
import type { SampleMeta } from './sample-meta.js';
import {
  branches,
  deref,
  isObject,
  type JsonObject,
  knownValues,
  mediaExamples,
  operation,
  refName,
  schemaAt,
  schemaProperties,
} from './spec.js';

export interface MarkdownContext {
  doc: JsonObject;
  /** The client's `images` methods with their JSDoc (for specs without `x-imagegen-method`). */
  clientMethods?: Array<{ name: string; doc: string }>;
  samples: SampleMeta[];
  images: ExampleImage[];
  /** Whole generated pages by name. */
  generated: Record<string, () => string>;
  /** Called with each sample a page includes. */
  onSample?(name: string): void;
}

const DIRECTIVE =
  /<!--\s*(sample|values|default|spec|route|ref|method|events|properties|operation|example-images|generated):\s*(.*?)\s*-->/g;

/** Expands every directive of `markdown`; throws `file: message` for a directive naming something the spec or the samples lack. */
export function expandDirectives(markdown: string, file: string, ctx: MarkdownContext): string {
  return markdown.replace(DIRECTIVE, (_all, kind: string, arg: string) => {
    try {
      return expand(kind, arg.trim(), ctx);
    } catch (error) {
      throw new Error(`${file}: <!-- ${kind}: ${arg} -->: ${(error as Error).message}`);
    }
  });
}

function expand(kind: string, arg: string, ctx: MarkdownContext): string {
  const { doc } = ctx;
  switch (kind) {
    case 'sample':
      return sampleMarkdown(ctx, arg);
    case 'values':
      return listOr(knownValues(doc, schemaAt(doc, arg)).map(code), 'or');
    case 'default': {
      const s = schemaAt(doc, arg);
      if (s.default === undefined) throw new Error('the schema has no default');
      return code(s.default);
    }
    case 'spec': {
      const [at = '', keyword = ''] = arg.split(/\s+/);
      const value = [schemaAt(doc, at), ...branches(doc, schemaAt(doc, at))].map((node) => node[keyword]).find((v) => v !== undefined);
      if (value === undefined || isObject(value)) throw new Error(`the schema has no ${keyword}`);
      return String(value);
    }
    case 'route': {
      const op = operation(doc, arg);
      return code(`${op.method.toUpperCase()} ${op.path}`);
    }
    case 'ref': {
      const op = operation(doc, arg);
      return `[${typeof op.node.summary === 'string' ? op.node.summary : arg}](/reference#${arg})`;
    }
    case 'method':
      return code(`client.images.${clientMethod(ctx, arg)}(params)`);
    case 'events':
      return eventsList(doc, arg);
    case 'properties':
      return propertiesList(doc, schemaAt(doc, arg));
    case 'operation':
      return operationSummary(doc, arg);
    case 'example-images':
      return gallery(ctx.images, arg ? arg.split(/\s+/) : undefined);
    default: {
      const page = ctx.generated[arg];
      if (!page) throw new Error(`no generated page ${arg} (known: ${Object.keys(ctx.generated).join(', ')})`);
      return page();
    }
  }
}

/**
 * The client method of an operation: the spec's `x-imagegen-method`, else the client's `images` method whose JSDoc
 * starts with the operation's route (as the hand-written client documents each method).
 */
export function clientMethod(ctx: MarkdownContext, operationId: string): string {
  const op = operation(ctx.doc, operationId);
  if (typeof op.node['x-imagegen-method'] === 'string') return op.node['x-imagegen-method'];
  const route = `${op.method.toUpperCase()} ${op.path}`;
  const found = ctx.clientMethods?.find((m) => m.doc.startsWith(`\`${route}\``));
  if (!found) throw new Error(`operation ${operationId} has no x-imagegen-method and no client method documents ${route}`);
  return found.name;
}

export const code = (value: unknown) => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const ticks = text.includes('`') ? '``' : '`';
  return `${ticks}${text}${ticks}`;
};

function listOr(items: string[], word: string): string {
  if (items.length === 0) throw new Error('the schema names no values');
  return items.length === 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${word} ${items.at(-1)}`;
}

/** A fence long enough for `source`. */
export function fence(source: string, info: string): string {
  const longest = Math.max(2, ...[...source.matchAll(/`{3,}/g)].map((m) => m[0].length));
  const ticks = '`'.repeat(longest + 1);
  return `${ticks}${info}\n${source.trimEnd()}\n${ticks}`;
}

export function sampleMarkdown(ctx: MarkdownContext, name: string): string {
  const sample = ctx.samples.find((s) => s.name === name);
  if (!sample) throw new Error(`no sample ${name} in samples/`);
  ctx.onSample?.(name);
  return `::: code-group\n\n${fence(sample.source, `ts [${name}]`)}\n\n:::`;
}

/** Spec text in a page: Vue must not read `{{` in it as interpolation. */
export const prose = (text: string) => text.replaceAll('{{', '{ {');

/** A list item's text: one line, no Vue interpolation. */
export const oneLine = (text: string) => text.replace(/\s+/g, ' ').replaceAll('{{', '{ {').trim();

/** Table cells: one line, pipes escaped, no Vue interpolation. */
export const cell = (text: string) => text.replace(/\s+/g, ' ').replaceAll('|', '\\|').replaceAll('{{', '{ {').trim();

/** `string`, `integer`, `file`, `ImageRefParam[]`, `string | null`, … */
export function typeText(doc: JsonObject, schema: unknown): string {
  const name = refName(schema);
  const s = deref(doc, schema);
  if (!isObject(s)) return 'any';
  if (name && (isObject(s.properties) || Array.isArray(s.oneOf) || Array.isArray(s.anyOf))) return name;
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const list = [...(Array.isArray(s.anyOf) ? s.anyOf : []), ...(Array.isArray(s.oneOf) ? s.oneOf : [])];
    return [...new Set(list.map((b) => typeText(doc, b)))].join(' | ');
  }
  if (s.format === 'binary') return 'file';
  const types = Array.isArray(s.type) ? s.type : [s.type ?? (isObject(s.properties) ? 'object' : 'any')];
  return types
    .map((t) => (t === 'array' ? `${s.items === undefined ? 'any' : typeText(doc, s.items).replace(/^(.* \| .*)$/, '($1)')}[]` : String(t)))
    .join(' | ');
}

/** Known values, default and limits of a schema, as one cell. */
export function valuesText(doc: JsonObject, schema: unknown): string {
  const s = deref(doc, schema);
  if (!isObject(s)) return '';
  const parts: string[] = [];
  const values = knownValues(doc, s);
  const open = branches(doc, s).some((b) => b.type === 'string' && b.enum === undefined && b.const === undefined);
  if (values.length) parts.push(`${values.map(code).join(', ')}${open && values.length ? ' (or another)' : ''}`);
  const limit = (node: JsonObject) => {
    if (typeof node.minimum === 'number' && typeof node.maximum === 'number') parts.push(`${node.minimum}–${node.maximum}`);
    else if (typeof node.maximum === 'number') parts.push(`≤ ${node.maximum}`);
    else if (typeof node.minimum === 'number') parts.push(`≥ ${node.minimum}`);
    if (typeof node.maxLength === 'number') parts.push(`≤ ${node.maxLength} characters`);
    if (typeof node.maxItems === 'number') parts.push(`≤ ${node.maxItems} items`);
  };
  for (const b of branches(doc, s)) limit(b);
  if (s.default !== undefined) parts.push(`default ${code(s.default)}`);
  return [...new Set(parts)].join('; ');
}

/** A schema's properties as a list: name, type, required, known values and limits, then the description. */
export function propertiesList(doc: JsonObject, schema: unknown): string {
  const { properties, required } = schemaProperties(doc, schema);
  const items = Object.entries(properties).map(([name, prop]) => {
    const p = deref(doc, prop);
    const deprecated = isObject(p) && p.deprecated === true;
    const values = valuesText(doc, prop);
    const head = [
      `**${code(name)}**`,
      code(typeText(doc, prop)),
      required.includes(name) ? 'required' : '',
      deprecated ? '*deprecated*' : '',
      values,
    ]
      .filter(Boolean)
      .join(' · ');
    const description = isObject(p) && typeof p.description === 'string' ? oneLine(p.description) : '';
    return `- ${oneLine(head)}${description ? `<br>\n  ${description}` : ''}`;
  });
  return `<div class="spec-properties">\n\n${items.join('\n')}\n\n</div>`;
}

/** The schema of an operation's `text/event-stream` 200 response, if it streams. */
export function streamSchema(doc: JsonObject, operationId: string): unknown {
  const op = operation(doc, operationId);
  const responses = isObject(op.node.responses) ? op.node.responses : {};
  const ok = deref(doc, responses['200']);
  const content = isObject(ok) && isObject(ok.content) ? ok.content : {};
  const media = deref(doc, content['text/event-stream']);
  return isObject(media) ? media.schema : undefined;
}

/** Each stream event of an operation: its `type` value and the schema it has. */
export function streamEvents(doc: JsonObject, operationId: string): Array<{ type: string; schema: JsonObject; name: string | undefined }> {
  const schema = streamSchema(doc, operationId);
  if (schema === undefined) return [];
  const s = deref(doc, schema);
  const list = isObject(s) ? [...(Array.isArray(s.oneOf) ? s.oneOf : []), ...(Array.isArray(s.anyOf) ? s.anyOf : [])] : [];
  return list.flatMap((branch) => {
    const b = deref(doc, branch);
    if (!isObject(b)) return [];
    const type = knownValues(doc, schemaProperties(doc, b).properties.type)[0];
    return typeof type === 'string' ? [{ type, schema: b, name: refName(branch) }] : [];
  });
}

function eventsList(doc: JsonObject, operationId: string): string {
  const events = streamEvents(doc, operationId);
  if (events.length === 0) throw new Error(`operation ${operationId} does not stream`);
  const items = events.map(({ type, schema }) => {
    const props = Object.keys(schemaProperties(doc, schema).properties).filter((p) => p !== 'type');
    const description = typeof schema.description === 'string' ? oneLine(schema.description) : '';
    return `- **${code(type)}** · fields ${props.map(code).join(', ')}${description ? `<br>\n  ${description}` : ''}`;
  });
  return `<div class="spec-properties">\n\n${items.join('\n')}\n\n</div>`;
}

function operationSummary(doc: JsonObject, operationId: string): string {
  const op = operation(doc, operationId);
  const description = typeof op.node.description === 'string' ? op.node.description.trim() : '';
  const route = code(`${op.method.toUpperCase()} ${op.path}`);
  if (op.node.deprecated === true) return `${route}\n\n::: warning Deprecated\n${prose(description)}\n:::`;
  return `${route}\n\n${prose(description)}`;
}

/** The spec's example request bodies of an operation, per media type. */
export function requestExamples(
  doc: JsonObject,
  operationId: string,
): Array<{ mediaType: string; schema: unknown; examples: Array<{ name: string; value: unknown }> }> {
  const op = operation(doc, operationId);
  const body = deref(doc, op.node.requestBody);
  const content = isObject(body) && isObject(body.content) ? body.content : {};
  return Object.entries(content).map(([mediaType, media]) => {
    const m = deref(doc, media);
    return { mediaType, schema: isObject(m) ? m.schema : undefined, examples: mediaExamples(doc, media) };
  });
}

const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll('{{', '&#123;&#123;');

/** A gallery of example images, each a real `<img src="data:…">` scaled up without smoothing. */
export function gallery(images: ExampleImage[], names?: string[]): string {
  const unknown = names?.filter((n) => !images.some((img) => img.examples.some((e) => e.name === n))) ?? [];
  if (unknown.length) throw new Error(`unknown examples: ${unknown.join(', ')}`);
  const shown = names
    ? names.flatMap((n) => images.flatMap((img) => img.examples.filter((e) => e.name === n).map((e) => ({ ...img, ...e }))))
    : images;
  const figures = shown.map(
    (img) =>
      `<figure><img src="data:${img.mediaType};base64,${img.base64}" width="128" height="128" alt="${escapeHtml(img.summary)}"><figcaption>${escapeHtml(img.summary)}<br><code>${escapeHtml(img.name)}</code></figcaption></figure>`,
  );
  return `<div class="gallery">${figures.join('')}</div>`;
}
