import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';

it("the README's TrafficGenerator is the example's code", () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const block = /<!-- traffic-generator:start -->\n```ts\n([\s\S]*?)```\n<!-- traffic-generator:end -->/.exec(readme)?.[1];
  expect(block, 'README block markers missing').toBeDefined();
  const source = readFileSync(new URL('../src/traffic-generator.ts', import.meta.url), 'utf8');
  expect(source).toContain(block!.trimEnd());
});
