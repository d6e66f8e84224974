import { execFile } from 'node:child_process';
import { chmodSync, chownSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, fakeHost, faultRun, type FaultContext } from '../fault/fault-run';
import { readJournalLines } from '../../electron/services/snapshot/journal-line';

/**
 * The runner trusts what it finds in the host folder (its arguments, the files it made, the
 * domain locks), so the launch refuses a folder another account could write to, and the runner
 * checks its folder and its arguments again itself (issue 9, finding 8).
 */
const made: FaultContext[] = [];
afterEach(() => {
  for (const c of made.splice(0)) cleanup({ ctx: c } as Parameters<typeof cleanup>[0]);
});

function host(): FaultContext {
  const ctx = fakeHost({ shell: 'dash' });
  made.push(ctx);
  return ctx;
}

async function launchError(ctx: FaultContext): Promise<string> {
  try {
    await ctx.launch();
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
  return '';
}

/** Runs the shipped runner directly on an operation folder whose args were changed after launch. */
function runRunner(ctx: FaultContext, opDir: string): Promise<void> {
  return new Promise((resolve) => {
    execFile('sh', [join(opDir, 'runner.sh'), opDir], { env: ctx.env }, () => resolve());
  });
}

describe('the host folder and the runner’s arguments', () => {
  it('a snapshot runs in a private host folder (the control case)', async () => {
    const o = await faultRun({ shell: 'dash' });
    made.push(o.ctx);
    expect(o.summary.state).toBe('succeeded');
  });

  it('refuses a host folder the group or others can write to, and says how to fix it', async () => {
    for (const mode of [0o775, 0o757]) {
      const ctx = host();
      chmodSync(ctx.hostDir, mode);
      expect(await launchError(ctx)).toMatch(/writable by no one else \(chmod go-w\)/);
    }
  });

  it('refuses a host folder that belongs to another account', async () => {
    const ctx = host();
    chownSync(ctx.hostDir, 65534, 65534);
    expect(await launchError(ctx)).toMatch(/must belong to/);
  });

  it('the runner refuses arguments that name another folder or a bad value, touching nothing', async () => {
    const ctx = host();
    const opId = await ctx.launch();
    const dir = ctx.opDir(opId);
    // wait for that first run to end: its folder is then reused with doctored arguments
    for (
      let i = 0;
      i < 400 && !readFileSync(join(dir, 'journal.jsonl'), 'utf8').includes('"ev":"end"');
      i++
    )
      await new Promise((r) => setTimeout(r, 25));
    const args = readFileSync(join(dir, 'args'), 'utf8');
    const cases: [string, RegExp][] = [
      [args.replace(/^hostDir=.*$/m, 'hostDir=/tmp'), /hostDir/],
      [args.replace(/^uuid=.*$/m, 'uuid=x; rm -rf /'), /uuid/],
      [args.replace(/^name=.*$/m, 'name=--current'), /name/],
      [args.replace(/^maxFreezeS=.*$/m, 'maxFreezeS=0'), /maxFreezeS/],
      [args + 'extra=1\n', /unknown name extra/],
    ];
    for (const [text, why] of cases) {
      writeFileSync(join(dir, 'args'), text);
      writeFileSync(join(dir, 'journal.jsonl'), '');
      const traceBefore = readFileSync(join(ctx.state, 'trace'), 'utf8');
      await runRunner(ctx, dir);
      const lines = readJournalLines(readFileSync(join(dir, 'journal.jsonl'), 'utf8'));
      const result = lines.find((l) => l.ev === 'result');
      expect(result, text).toBeDefined();
      expect(result).toMatchObject({ ok: false, failedPhase: 'runner', snapshotTaken: 'no' });
      const message = Buffer.from(String((result as { b64?: string }).b64), 'base64').toString();
      expect(message).toMatch(why);
      expect(readFileSync(join(ctx.state, 'trace'), 'utf8'), 'no virsh call').toBe(traceBefore);
    }
  });
});
