import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { foldMergeProgress } from '../../renderer/history/merge-progress';
import { PHASES } from '../../shared/snapshot';

const RENDERER = join(__dirname, '..', '..', 'renderer');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(join(dir, e.name))
      : /\.tsx?$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  );
}

const files = sources(RENDERER).map((path) => ({
  path: relative(RENDERER, path),
  text: readFileSync(path, 'utf8'),
}));
const folderOf = (path: string) => (path.includes('/') ? path.split('/')[0]! : '.');

/** Each folder and the folders it imports from (renderer-relative imports only). */
function folderImports(): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const f of files) {
    const from = folderOf(f.path);
    for (const m of f.text.matchAll(/from '(\.\.?\/[^']+)'/g)) {
      const target = relative(RENDERER, join(RENDERER, f.path, '..', m[1]!));
      if (target.startsWith('..')) continue; // shared/
      const to = folderOf(target);
      if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
  }
  return edges;
}

describe('renderer house rules', () => {
  it('imports go one way: no folder imports app/, and no two folders import each other', () => {
    const edges = folderImports();
    for (const [from, tos] of edges) {
      if (from !== '.') expect(tos.has('app'), `${from}/ imports app/`).toBe(false);
      for (const to of tos) {
        expect(edges.get(to)?.has(from) ?? false, `${from}/ and ${to}/ import each other`).toBe(
          false,
        );
      }
    }
  });

  it('subscribes to app events in one place only (app/event-hub.ts)', () => {
    const subscribers = files
      .filter((f) => /\.subscribe\(/.test(f.text) && !f.path.startsWith('transport/'))
      .map((f) => f.path);
    expect(subscribers).toEqual(['app/event-hub.ts']);
  });

  it('defines query keys only in cache/query-keys.ts', () => {
    const literalKeys = files
      .filter(
        (f) =>
          f.path !== 'cache/query-keys.ts' && /queryKey:\s*\[|QueryData[^(]*\(\s*\[/.test(f.text),
      )
      .map((f) => f.path);
    expect(literalKeys).toEqual([]);
  });

  it('has one copy of the arrow-key row navigation (ui/use-roving-focus.ts)', () => {
    const copies = files.filter((f) => f.text.includes("'ArrowDown'")).map((f) => f.path);
    expect(copies).toEqual(['ui/use-roving-focus.ts']);
  });
});

describe('the phase chart', () => {
  it('has a colour for every phase the runner journals (a phase without one draws no segment)', () => {
    const css = readFileSync(join(RENDERER, 'history', 'history.css'), 'utf8');
    expect(PHASES.filter((p) => !new RegExp(`\\.seg-${p} \\{\\s*--seg:`).test(css))).toEqual([]);
  });
});

describe('merge progress', () => {
  const ev = (target: string, percent: number, done?: boolean) => ({
    type: 'merge-progress' as const,
    hostId: 'h',
    uuid: 'u',
    target,
    percent,
    ...(done ? { done } : {}),
  });

  it('never goes back, and done stays done', () => {
    let p = foldMergeProgress(undefined, ev('vda', 40));
    p = foldMergeProgress(p, ev('vdb', 10));
    p = foldMergeProgress(p, ev('vda', 30));
    expect(p).toEqual({ vda: { percent: 40, done: false }, vdb: { percent: 10, done: false } });
    p = foldMergeProgress(p, ev('vda', 100, true));
    p = foldMergeProgress(p, ev('vda', 100));
    expect(p.vda).toEqual({ percent: 100, done: true });
  });
});
