import { describe, expect, it } from 'vitest';
import { sdkEntries, sdkMarkdown } from './sdk-index.js';

describe('SDK method index', () => {
  const entries = sdkEntries();

  it('indexes every export of the built client, each once', async () => {
    const client = await import('@imagegen/client');
    const names = entries.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    // Every runtime export is indexed (types-only exports are too, but have no runtime value to compare).
    for (const name of Object.keys(client)) expect(names, name).toContain(name);
  });

  it('shows the images methods with their signatures, and errors with what they extend', () => {
    const page = sdkMarkdown(entries);
    const resource = entries.find((e) => e.kind === 'interface' && /Resource$/.test(e.name));
    expect(resource?.members.length).toBeGreaterThan(0);
    for (const m of resource?.members ?? []) expect(page).toContain(`### \`${m.name}\``);
    expect(page).toMatch(/class \w+Error extends/);
  });
});
