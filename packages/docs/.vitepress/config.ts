import { defineConfig } from 'vitepress';
import { markdownContext, readGuides, sitePaths } from '../scripts/site.js';
import { expandDirectives } from '../scripts/spec-markdown.js';

const paths = sitePaths();
const guides = readGuides();
const ctx = markdownContext(paths);
const guideItems = guides.map((g) => ({ text: g.title, link: g.link }));

export default defineConfig({
  title: 'imagegen',
  description: 'A spec-first TypeScript toolkit for the OpenAI Images API',
  srcDir: 'site',
  outDir: paths.outDir,
  cacheDir: '.vitepress/cache',
  cleanUrls: false,
  // No request to another host: no analytics, fonts or icons from a CDN (the theme's fonts are bundled).
  head: [['meta', { name: 'color-scheme', content: 'light dark' }]],
  themeConfig: {
    nav: [
      { text: 'Guides', link: guides[0]?.link ?? '/' },
      { text: 'API reference', link: '/reference' },
      { text: 'SDK', link: '/sdk' },
      { text: 'Performance', link: '/performance' },
      { text: 'Changelog', link: '/changelog' },
    ],
    sidebar: [
      { text: 'Guides', items: guideItems },
      {
        text: 'Reference',
        items: [
          { text: 'API reference', link: '/reference' },
          { text: 'SDK method index', link: '/sdk' },
          { text: 'Coming from the official SDK', link: '/migrating' },
          { text: 'Performance', link: '/performance' },
          { text: 'Changelog', link: '/changelog' },
        ],
      },
    ],
    search: { provider: 'local' },
    outline: { level: [2, 3], label: 'On this page' },
    footer: { message: 'MIT licensed. Generated from the imagegen OpenAPI spec.' },
  },
  markdown: {
    theme: { light: 'github-light', dark: 'github-dark' },
    config(md) {
      md.core.ruler.before('normalize', 'imagegen-directives', (state) => {
        const env = state.env as { relativePath?: string };
        state.src = expandDirectives(state.src, `site/${env.relativePath ?? '?'}`, ctx);
      });
    },
  },
});
