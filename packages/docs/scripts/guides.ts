// Markdown guides → HTML. Guides carry YAML front matter (title, nav, order, description) and two
// directives on lines of their own: `<!-- sample: generate.ts -->` includes a sample file as it is,
// `<!-- example-images[: Name …] -->` shows the spec's example images.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Marked, type Tokens } from 'marked';
import { parse as parseYaml } from 'yaml';
import type { ExampleImage } from './example-images.js';
import { escapeHtml } from './page.js';
import { isObject } from './spec.js';

export interface Guide {
  /** Source file name, e.g. `streaming.md`. */
  file: string;
  /** Output file name, e.g. `streaming.html`. */
  href: string;
  title: string;
  /** Short label for the header navigation. */
  nav: string;
  order: number;
  description: string;
  markdown: string;
}

/** Reads `dir/*.md`, sorted by their `order`. Throws naming the file when front matter is missing or incomplete. */
export function readGuides(dir: string): Guide[] {
  const guides = readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .map((file): Guide => {
      const text = readFileSync(path.join(dir, file), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
      const meta: unknown = match ? parseYaml(match[1] ?? '') : undefined;
      if (!isObject(meta) || typeof meta.title !== 'string' || typeof meta.order !== 'number') {
        throw new Error(`guides/${file}: front matter needs at least "title" (string) and "order" (number)`);
      }
      return {
        file,
        href: file.replace(/\.md$/, '.html'),
        title: meta.title,
        nav: typeof meta.nav === 'string' ? meta.nav : meta.title,
        order: meta.order,
        description: typeof meta.description === 'string' ? meta.description : '',
        markdown: text.slice(match?.[0].length ?? 0),
      };
    });
  return guides.sort((a, b) => a.order - b.order || a.file.localeCompare(b.file));
}

export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/<[^>]*>/g, '')
    .replace(/&[a-z]+;|&#\d+;/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** A gallery of example images, each a real `<img src="data:…">` scaled up without smoothing. */
export function gallery(images: ExampleImage[], names?: string[]): string {
  // With names, each named example is shown with its own caption (one image can stand for several examples).
  const shown = names
    ? names.flatMap((n) => images.flatMap((img) => img.examples.filter((e) => e.name === n).map((e) => ({ ...img, ...e }))))
    : images;
  const figures = shown.map(
    (img) => `  <figure>
    <img src="data:${img.mediaType};base64,${img.base64}" width="128" height="128" alt="${escapeHtml(img.summary)}">
    <figcaption>${escapeHtml(img.summary)}<br><code>${escapeHtml(img.name)}</code></figcaption>
  </figure>`,
  );
  return `<div class="gallery">\n${figures.join('\n')}\n</div>`;
}

export function sampleBlock(samplesDir: string, file: string): string {
  const source = readFileSync(path.join(samplesDir, file), 'utf8').trimEnd();
  return `<figure class="sample">
<figcaption><code>samples/${escapeHtml(file)}</code> — type-checked by the docs build and run by its tests</figcaption>
<pre><code class="language-ts">${escapeHtml(source)}</code></pre>
</figure>`;
}

export interface RenderContext {
  samplesDir: string;
  images: ExampleImage[];
  /** Called with each sample file a guide includes. */
  onSample?(file: string): void;
}

const DIRECTIVE = /<!--\s*(sample|example-images)(?::\s*(.*?))?\s*-->/g;

/**
 * Renders Markdown (`.md` links become `.html`, headings get ids), then replaces the directives.
 * Marked passes the directive comments through as they are; replacing them afterwards keeps the
 * included code away from the Markdown parser.
 */
export function renderMarkdown(markdown: string, source: string, ctx: RenderContext): string {
  const blocks = new Map<string, string>();
  for (const [comment, kind, arg = ''] of markdown.matchAll(/^<!--\s*(sample|example-images)(?::\s*(.*?))?\s*-->$/gm)) {
    if (kind === 'sample') {
      const file = arg.trim();
      if (!existsSync(path.join(ctx.samplesDir, file))) throw new Error(`${source}: ${comment} names no file in ${ctx.samplesDir}`);
      ctx.onSample?.(file);
      blocks.set(comment, sampleBlock(ctx.samplesDir, file));
    } else {
      const names = arg.trim() ? arg.trim().split(/\s+/) : undefined;
      const unknown = names?.filter((n) => !ctx.images.some((img) => img.examples.some((e) => e.name === n))) ?? [];
      if (unknown.length) throw new Error(`${source}: ${comment} names unknown examples: ${unknown.join(', ')}`);
      blocks.set(comment, gallery(ctx.images, names));
    }
  }
  const marked = new Marked({
    gfm: true,
    walkTokens(token) {
      if (token.type === 'link') {
        const link = token as Tokens.Link;
        if (!/^[a-z]+:|^\/\/|^#/i.test(link.href)) link.href = link.href.replace(/\.md(#|$)/, '.html$1');
      }
    },
    renderer: {
      heading({ tokens, depth }) {
        const html = this.parser.parseInline(tokens);
        return `<h${depth} id="${slug(html)}">${html}</h${depth}>\n`;
      },
    },
  });
  const html = marked.parse(markdown, { async: false });
  return html.replace(DIRECTIVE, (comment) => blocks.get(comment) ?? comment);
}
