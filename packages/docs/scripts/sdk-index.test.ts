import { describe, expect, it } from 'vitest';
import { imagesMethods, sdkEntries, sdkMarkdown } from './sdk-index.js';
import { loadSpec, operations } from './spec.js';

describe('SDK method index', () => {
  const entries = sdkEntries();

  it('indexes every export of the built client, each once', async () => {
    const client = await import('@imagegen/client');
    const names = entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    // Every runtime export is indexed (types-only exports are too, but have no runtime value to compare).
    for (const name of Object.keys(client)) expect(names, name).toContain(name);
  });

  it('shows one images method per operation of the spec, with its signatures, and errors with what they extend', () => {
    const methods = imagesMethods();
    expect(methods).toHaveLength(operations(loadSpec()).length);
    const page = sdkMarkdown(entries, methods);
    for (const m of methods) {
      expect(m.signatures.length, m.name).toBeGreaterThan(0);
      expect(page).toContain(`### \`${m.name}\``);
      for (const sig of m.signatures) expect(page).toContain(sig);
    }
    expect(page).toMatch(/class \w+Error extends/);
  });
});
