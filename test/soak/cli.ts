/**
 * `npm run soak -- --runs N --seed S [--json]` (see soak.ts). Progress goes to stderr; the
 * report (a table, or one JSON object with --json) to stdout. Exit 0 when every promise held,
 * 1 when one broke (leftFrozen, mislabelled, lost, frozen too long, a journal that does not
 * parse, a lock left held, a stuck operation) or the soak had to stop, 2 on bad arguments.
 */
import { FAULT_KINDS, type FaultKind } from './faults';
import { formatTable, runSoak, type SoakOptions } from './soak';

const USAGE = `usage: npm run soak -- [--runs N] [--seed S] [--json] [--max-freeze S]
       [--agent-timeout S] [--faults kind,kind…] [--only R,R…] [--keep-orphans]
faults: ${FAULT_KINDS.join(', ')}`;

function parse(argv: string[]): (SoakOptions & { json: boolean }) | string {
  const o: SoakOptions & { json: boolean } = {
    runs: 10,
    seed: Math.floor(Math.random() * 2 ** 31),
    json: false,
  };
  const int = (v: string | undefined, what: string) => {
    const n = Number(v);
    if (v === undefined || !Number.isInteger(n) || n < 0)
      throw new Error(`${what}: a whole number, got ${v}`);
    return n;
  };
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]!;
      const [flag, inline] = a.includes('=')
        ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
        : [a, undefined];
      const val = () => inline ?? argv[++i];
      switch (flag) {
        case '--runs':
          o.runs = int(val(), '--runs');
          break;
        case '--seed':
          o.seed = int(val(), '--seed');
          break;
        case '--json':
          o.json = true;
          break;
        case '--max-freeze':
          o.maxFreezeS = int(val(), '--max-freeze');
          break;
        case '--agent-timeout':
          o.agentTimeoutS = int(val(), '--agent-timeout');
          break;
        case '--faults': {
          const kinds = (val() ?? '').split(',').filter(Boolean);
          const bad = kinds.filter((k) => !(FAULT_KINDS as readonly string[]).includes(k));
          if (bad.length) throw new Error(`unknown fault ${bad.join(', ')}`);
          o.kinds = kinds as FaultKind[];
          break;
        }
        case '--only':
          o.only = (val() ?? '')
            .split(',')
            .filter(Boolean)
            .map((x) => int(x, '--only'));
          break;
        case '--keep-orphans':
          o.keepOrphans = true;
          break;
        case '-h':
        case '--help':
          return USAGE;
        default:
          throw new Error(`unknown option ${a}`);
      }
    }
  } catch (e) {
    return `${(e as Error).message}\n${USAGE}`;
  }
  if (o.maxFreezeS !== undefined && o.maxFreezeS < 1) return `--max-freeze: at least 1\n${USAGE}`;
  return o;
}

export async function main(argv: string[]): Promise<number> {
  const o = parse(argv);
  if (typeof o === 'string') {
    process.stderr.write(o + '\n');
    return o === USAGE ? 0 : 2;
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      'the soak checks the lab host as root (virsh, qemu-img, mount): run it as root\n',
    );
    return 2;
  }
  process.stderr.write(
    `soak: ${o.only?.length ? `runs ${o.only.join(',')}` : `${o.runs} runs`}, seed ${o.seed}\n`,
  );
  const report = await runSoak({ ...o, log: (l) => process.stderr.write(`soak: ${l}\n`) });
  process.stdout.write(
    o.json ? JSON.stringify(report, null, 2) + '\n' : formatTable(report) + '\n',
  );
  return report.ok ? 0 : 1;
}
