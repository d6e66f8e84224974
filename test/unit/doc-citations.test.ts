import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Comments cite documents a reader of the repository has: docs/ARCHITECTURE.md's rules by name,
 * never the team's notes outside it ("DESIGN rule 2", LAB.md, STYLE.md) or a path beside the
 * checkout.
 */
const OUTSIDE = /\bDESIGN\b|LAB\.md|STYLE\.md|\brule [0-9]|\.\.\/shared\/tools/;
const ROOT = join(__dirname, '..', '..');

const tree = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? tree(join(dir, e.name))
      : /\.(tsx?|mjs|css|sh|html)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );

describe('comments cite only documents in the repository', () => {
  it.each([
    'renderer',
    'shared',
    'electron',
    'scripts',
    'bench',
    'test/unit',
    'test/support',
    'test/lab-tier',
    'test/gui',
    'test/host',
    'test/soak',
    'test/fault',
  ])('in %s/', (folder) => {
    const citing = tree(join(ROOT, folder))
      .filter((path) => path !== __filename)
      .filter((path) => OUTSIDE.test(readFileSync(path, 'utf8')));
    expect(citing.map((path) => relative(ROOT, path))).toEqual([]);
  });
});
