import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import hostLib from '../../electron/services/host-scripts/host-lib.sh?raw';

/**
 * host-lib.sh's builtins that stand in for processes (base64 both ways, xml_escape, the wall
 * clock read from one long-lived date): the same bytes as the processes they replace, for every
 * byte value, edge lengths and random text, under dash, bash (C and UTF-8 locales) and busybox;
 * and a clock that starts no process a reading, falls back to a date a reading when it cannot run
 * or fails (stopped, killed, garbage, silent) within a bounded time, and ends with the script that
 * started it.
 */
const root = mkdtempSync(join(tmpdir(), 'quiesce-host-lib-fast-'));
/** What each failing clock cost its reading, printed at the end for the record. */
const costs: string[] = [];
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  if (costs.length > 0) console.log(`a failing clock's reading:\n${costs.join('\n')}`);
});
const REAL_DATE = ['/usr/bin/date', '/bin/date'].find((f) => existsSync(f)) ?? 'date';
const SHELLS: [string, string[], string][] = [
  ['dash', ['dash'], 'C'],
  ['bash', ['bash'], 'C'],
  ['bash (UTF-8)', ['bash'], 'C.UTF-8'],
  ['bash --posix', ['bash', '--posix'], 'C'],
  ['busybox', ['busybox', 'sh'], 'C'],
];

function sh(shell: string[], locale: string, script: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(shell[0]!, [...shell.slice(1), '-c', `${hostLib}\n${script}`], {
    cwd: root,
    env: { PATH: process.env.PATH, LC_ALL: locale, ...env },
    encoding: 'buffer',
    // stdin no socket: bash run with one and no SHLVL takes itself for an rshd's and reads ~/.bashrc
    stdio: ['ignore', 'pipe', 'pipe'],
    maxBuffer: 64 << 20,
    // a script stuck on its clock fails its case instead of holding the worker for good; just
    // under the tier's 120 s test timeout, since a hang detector is all it is: bash --posix's
    // base64 table case, CPU-bound in the shell, took over 60 s on a slow run of this machine
    timeout: 110_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr.toString() };
}

/**
 * sh in folder `cwd`, without blocking the worker: the clock's fault cases wait seconds on a
 * silent clock (CLOCK_WAIT_MS in host-lib.sh), and run side by side (one after another, under
 * five shells, they were half of this file's time). A folder of its own each: the clock makes
 * its FIFOs in the current folder.
 */
function shAsync(
  cwd: string,
  shell: string[],
  locale: string,
  script: string,
  env: NodeJS.ProcessEnv = {},
) {
  return new Promise<{ code: number | null; out: Buffer; err: string }>((resolve, reject) => {
    const child = spawn(shell[0]!, [...shell.slice(1), '-c', `${hostLib}\n${script}`], {
      cwd,
      env: { PATH: process.env.PATH, LC_ALL: locale, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, out: Buffer.concat(out), err: Buffer.concat(err).toString() }),
    );
  });
}

/** A small seeded generator, so a failure names a case that comes back. */
function random(seed: number) {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x80000000;
  };
}
const rnd = random(20261201);
const bytes = (n: number, pick: () => number) => Buffer.from(Array.from({ length: n }, pick));
const printable = () => 32 + Math.floor(rnd() * 95);
const plainish = () => {
  const r = rnd();
  if (r < 0.05) return 10;
  if (r < 0.08) return 9;
  return printable();
};
const anyByte = () => 1 + Math.floor(rnd() * 255);

// No NUL: a shell variable cannot hold one (neither could the text the runners encode).
const CASES: Buffer[] = [
  Buffer.from(''),
  ...Array.from({ length: 255 }, (_, i) => Buffer.from([i + 1])),
  ...Array.from({ length: 95 }, (_, i) => Buffer.from([i + 32, 10])),
  ...Array.from({ length: 95 }, (_, i) => Buffer.from([65, i + 32, 126])),
  Buffer.from('a\n\n\n'),
  Buffer.from('\n'),
  Buffer.from('\t\n\t'),
  Buffer.from('fault <run> & "quotes"\nline two'),
  Buffer.from("o'brien \\ $HOME `x` $(y) * ? [a-z] ]"),
  Buffer.from('/var/lib/libvirt/images/data.snap 1.qcow2'),
  Buffer.from('déjà vu'),
  Buffer.from('a\r\nb'),
  Buffer.from([0xc3]),
  Buffer.from([0x41, 0xff, 0x42]),
  Buffer.from('x'.repeat(1024)),
  Buffer.from('y'.repeat(1025)),
  Buffer.from('z'.repeat(1023)),
  ...Array.from({ length: 200 }, () => bytes(1 + Math.floor(rnd() * 80), plainish)),
  ...Array.from({ length: 80 }, () => bytes(1 + Math.floor(rnd() * 40), anyByte)),
];
const plainBytes = (b: Buffer) => b.every((c) => c === 9 || c === 10 || (c >= 32 && c <= 126));
// what the builtins take: up to 1024 bytes (1368 characters of base64)
const b64Builtin = (b: Buffer) => b.length <= 1024 && plainBytes(b);
const unb64Builtin = (b: Buffer) => b.toString('base64').length <= 1368 && plainBytes(b);

// The cases as one file the shell reads with builtins only: a line with the count of lines of
// the case, then those lines (a case's line breaks are where it splits).
const file = (name: string, list: Buffer[]) => {
  const parts: Buffer[] = [];
  for (const b of list) {
    const lines: Buffer[] = [];
    let from = 0;
    for (let i = 0; i <= b.length; i++) {
      if (i === b.length || b[i] === 10) {
        lines.push(b.subarray(from, i));
        from = i + 1;
      }
    }
    parts.push(Buffer.from(`${lines.length}\n`));
    for (const l of lines) parts.push(l, Buffer.from('\n'));
  }
  writeFileSync(join(root, name), Buffer.concat(parts));
};
file('cases', CASES);
const N = CASES.length;
writeFileSync(join(root, 'encoded'), CASES.map((b) => b.toString('base64')).join('\n') + '\n');
// read_case: T = the next case of fd 7, exactly
const READ_CASE = `exec 7<cases
# (read in the C locale: bash's read in UTF-8 takes the line break after a broken sequence into it)
LOCALE=$LC_ALL
read_case() {
  LC_ALL=C
  IFS= read -r n <&7 || return 1
  k=0 T=
  while [ $k -lt $n ]; do
    IFS= read -r l <&7
    if [ $k = 0 ]; then T=$l; else T=$T$NL$l; fi
    k=$((k + 1))
  done
  LC_ALL=$LOCALE
}`;

// How a clock fails, and how soon a reading gives it up: `stop` and `kill` are signals to the
// real clock; the others a `date` in its place that answers its first line, then as named. The
// bound holds the fallback's date process too (tens of ms on a loaded machine); the first four
// are given up without waiting out the silent clock's 3 s (CLOCK_WAIT_MS).
type Fault = [how: string, answer: string | null, boundMs: number];
const FAULTS: Fault[] = [
  ['stopped (SIGSTOP)', null, 900],
  ['killed (SIGKILL)', null, 900],
  ['answering garbage', 'echo garbage', 900],
  // (in one write: a second line that comes later is seen before the next reading is asked)
  ['answering two lines for one', `t=$(${REAL_DATE} +%s%N); printf '%s\\n%s\\n' "$t" "$t"`, 900],
];
// The silent ones: each waits out the 3 s, so they run side by side (one after another, under
// five shells, they were half of this file's time); the ones above keep a core to themselves, as
// their 900 ms bound was measured.
const SILENT_FAULTS: Fault[] = [
  ['silent, reading on', ':', 4000],
  ['answering half a line, then nothing', "printf '1796'", 4000],
];
const FAULT_TITLE = 'the clock %s: a reading gives it up within its bound, no process left';

async function clockFault(
  name: string,
  shell: string[],
  locale: string,
  [how, answer, boundMs]: Fault,
) {
  const bin = join(root, `bin-fault-${name.replace(/\W/g, '')}-${how.replace(/\W/g, '')}`);
  mkdirSync(bin, { recursive: true });
  if (answer !== null) {
    // the clock's date: its first line answered, every later one as the fault says
    writeFileSync(
      join(bin, 'date'),
      `#!/bin/sh
case $1 in -f) ;; *) exec ${REAL_DATE} "$@" ;; esac
IFS= read -r _ && ${REAL_DATE} +%s%N
while IFS= read -r _; do ${answer}; done
`,
    );
    chmodSync(join(bin, 'date'), 0o755);
  }
  const signal = how.startsWith('stopped') ? 'STOP' : how.startsWith('killed') ? 'KILL' : '';
  const r = await shAsync(
    bin,
    shell,
    locale,
    `trap '' PIPE
clock_start
pid=$CLOCK_PID
${signal ? `kill -${signal} "$pid"` : ':'}
now_mono; m0=$MONO
now_rt; b=$RT
now_mono; m1=$MONO
now_rt; c=$RT
if kill -0 "$pid" 2>/dev/null; then left=running; else left=gone; fi
echo "$CLOCK $((m1 - m0)) $b $c $left"`,
    { PATH: `${bin}:${process.env.PATH}` },
  );
  const [clock, ms, b, c, left] = r.out.toString().trim().split(' ');
  costs.push(`${name} ${how}: ${ms} ms`);
  expect(clock).toBe('off');
  // a date process's reading: to the second under busybox (its own date has no %N)
  expect(b).toMatch(/^\d{19}$/);
  expect(c).toMatch(/^\d{19}$/);
  expect(Number(ms)).toBeLessThan(boundMs);
  // the silent ones are given their 3 s (CLOCK_WAIT_MS), not given up at once
  if (boundMs > 900) expect(Number(ms)).toBeGreaterThanOrEqual(2990);
  expect(left, 'the clock is killed and reaped').toBe('gone');
  // (bash reports the test's own SIGKILL of its job; a clock the runner kills, it reaps quietly)
  if (signal !== 'KILL') expect(r.err).toBe('');
}

describe.each(SHELLS)('host-lib.sh without processes, under %s', (_name, shell, locale) => {
  it('b64 and b64v: the bytes base64 writes; builtins for plain text', () => {
    const r = sh(
      shell,
      locale,
      `${READ_CASE}
i=0
while read_case; do
  if b64_plain "$T"; then plain=1; else plain=0; fi
  printf '%s ' "$plain"
  # b64v and b64 on stdout for plain text; base64 itself, and the way through it, every 16th case
  # (each a process start: slow on a loaded machine)
  if [ $plain = 1 ] || [ $((i % 16)) = 0 ]; then
    b64v "$T"
    printf '%s ' "$B64"
    b64 "$T"
  fi
  if [ $((i % 16)) = 0 ]; then
    printf ' '
    printf '%s' "$T" | base64 | tr -d '\n'
  fi
  echo
  i=$((i + 1))
done`,
    );
    expect(r.err).toBe('');
    const lines = r.out.toString().split('\n');
    expect(lines).toHaveLength(N + 1);
    expect(lines.filter((l) => l.startsWith('1 ')).length).toBeGreaterThan(450);
    CASES.forEach((b, i) => {
      const want = b.toString('base64');
      const [plain, viaVar, viaOut, viaProcess] = lines[i]!.split(' ');
      const what = `case ${i}: ${JSON.stringify(b.toString('latin1'))}`;
      expect(plain, what).toBe(b64Builtin(b) ? '1' : '0');
      if (plain === '1' || i % 16 === 0) {
        expect(viaVar, what).toBe(want);
        expect(viaOut, what).toBe(want);
      }
      if (i % 16 === 0) expect(viaProcess, what).toBe(want);
    });
  });

  it('decode and decodev: the bytes base64 -d writes; builtins for canonical plain text only', () => {
    // what b64 never writes: base64 -d decides what it means, as before
    const odd = [
      'QR==',
      'QUJ=',
      'QQ',
      'QQ=',
      'Q===',
      'QQ==QQ==',
      'Q Q=',
      '====',
      'QUJD!',
      'w6k=',
      '////',
      'QUJD\r',
    ];
    writeFileSync(join(root, 'odd'), odd.join('\n') + '\n');
    const r = sh(
      shell,
      locale,
      `${READ_CASE}
exec 8<encoded
i=0
while read_case; do
  IFS= read -r e <&8
  if unb64_plain "$e"; then
    [ "$UNB64" = "$T" ] || echo "UNB64 differs at $i"
    decodev "$e"
    case $T in "$DECODED"*) ;; *) echo "DECODED is no prefix at $i" ;; esac
    printf '1 %s\n' "\${#DECODED}"
  else
    [ $((i % 16)) = 0 ] && { [ "$(decode "$e"; echo x)" = "\${T}x" ] || echo "decode differs at $i"; }
    echo 0
  fi
  i=$((i + 1))
done
while IFS= read -r e; do
  if unb64_plain "$e"; then echo "odd $e taken"; fi
  [ "$(decode "$e"; echo x)" = "$(printf '%s' "$e" | base64 -d 2>/dev/null; echo x)" ] || echo "decode of $e differs"
  decodev "$e"
  [ "$DECODED" = "$(printf '%s' "$e" | base64 -d 2>/dev/null)" ] || echo "decodev of $e differs"
done <odd`,
    );
    expect(r.err).toBe('');
    const lines = r.out.toString().split('\n').filter(Boolean);
    expect(lines).toHaveLength(N);
    CASES.forEach((b, i) => {
      let stripped = b.length;
      while (stripped > 0 && b[stripped - 1] === 10) stripped--;
      expect(lines[i], `case ${i}`).toBe(unb64Builtin(b) ? `1 ${stripped}` : '0');
    });
  });

  it('xml_escape: the sed it replaces, without sed for text with nothing to escape', () => {
    const texts = ['vda', 'a&b<c>d\'e"f', '&&', '/images/data.snap.qcow2', "it's", '', ' x\t'];
    writeFileSync(join(root, 'xml'), texts.join('\n') + '\n');
    const r = sh(
      shell,
      locale,
      `while IFS= read -r t; do
  a=$(xml_escape "$t"; echo x)
  b=$(printf '%s' "$t" | sed -e 's/&/\\&amp;/g' -e 's/</\\&lt;/g' -e 's/>/\\&gt;/g' -e "s/'/\\&apos;/g" -e 's/"/\\&quot;/g'; echo x)
  [ "$a" = "$b" ] && echo same || echo "differs: $t"
done <xml`,
    );
    expect(r.out.toString()).toBe('same\n'.repeat(texts.length));
  });

  it('the clock: readings through one date, in order with date itself, 19 digits', () => {
    const r = sh(
      shell,
      locale,
      `trap '' PIPE
clock_start
echo "clock=$CLOCK"
now_rt; a=$RT
b=$(date +%s)
now_rt; c=$RT
echo "$a $b $c"
[ "\${a%?????????}" -le "$b" ] && [ "$b" -le "\${c%?????????}" ] && [ "$a" -lt "$c" ] && echo ordered`,
    );
    // (date +%s: busybox sh runs its own date, which has no %N; the clock's date is GNU's)
    const out = r.out.toString();
    expect(out).toContain('clock=on\n');
    expect(out).toContain('ordered\n');
    const [a, , c] = out.split('\n')[1]!.split(' ');
    expect(a).toMatch(/^\d{19}$/);
    expect(c).toMatch(/^\d{19}$/);
  });

  it('the clock: a date a reading once its date stops answering, and none left running', () => {
    const r = sh(
      shell,
      locale,
      `trap '' PIPE
clock_start
helper=$!
now_rt; a=$RT
kill "$helper"; wait "$helper" 2>/dev/null
now_rt; b=$RT
echo "$CLOCK $a $b"`,
    );
    const [clock, a, b] = r.out.toString().split('\n')[0]!.split(' ');
    expect(clock).toBe('off');
    expect(a).toMatch(/^\d{19}$/);
    expect(b).toMatch(/^\d{19}$/);
    // a date process's reading: to the second under busybox (its own date has no %N)
    expect(Math.floor(Number(b) / 1e9)).toBeGreaterThanOrEqual(Math.floor(Number(a) / 1e9));
    expect(r.err).toBe('');
  });

  it('the clock: ends with the script that started it', () => {
    const r = sh(shell, locale, `trap '' PIPE\nclock_start\nnow_rt\necho "$!"`);
    const pid = Number(r.out.toString().trim());
    expect(pid).toBeGreaterThan(0);
    // the script is gone, so the date's input is closed: it ends at once
    const deadline = Date.now() + 3000;
    let alive = true;
    while (alive && Date.now() < deadline) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
      try {
        process.kill(pid, 0);
        const stat = spawnSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' }).stdout;
        alive = !/\) Z /.test(stat) && stat !== '';
      } catch {
        alive = false;
      }
    }
    expect(alive).toBe(false);
  });

  it('the clock: no process a reading, one date for them all', () => {
    // a `date` that counts its runs first on PATH: the clock is one of them, a reading none
    const bin = join(root, `bin-count-${_name.replace(/\W/g, '')}`);
    mkdirSync(bin, { recursive: true });
    writeFileSync(
      join(bin, 'date'),
      `#!/bin/sh\necho "$*" >>'${bin}/runs'\nexec ${REAL_DATE} "$@"\n`,
    );
    chmodSync(join(bin, 'date'), 0o755);
    rmSync(join(bin, 'runs'), { force: true });
    const r = sh(
      shell,
      locale,
      `trap '' PIPE
clock_start
i=0
while [ $i -lt 200 ]; do now_rt; i=$((i + 1)); done
echo "$CLOCK $RT"`,
      { PATH: `${bin}:${process.env.PATH}` },
    );
    expect(r.err).toBe('');
    const [clock, rt] = r.out.toString().trim().split(' ');
    expect(clock).toBe('on');
    expect(rt).toMatch(/^\d{19}$/);
    expect(readFileSync(join(bin, 'runs'), 'utf8')).toBe('-f - +%s%N\n');
  });

  it.each(FAULTS)(FAULT_TITLE, (...fault) => clockFault(_name, shell, locale, fault));

  it('the clock: a date a reading where stdbuf is missing or cannot line-buffer', () => {
    // a bin folder with what the clock needs except stdbuf; then with a stdbuf that fails at once
    const bin = join(root, `bin-${_name.replace(/\W/g, '')}`);
    mkdirSync(bin, { recursive: true });
    for (const t of ['date', 'mkfifo', 'rm', 'cat']) {
      const p = spawnSync('sh', ['-c', `command -v ${t}`], { encoding: 'utf8' }).stdout.trim();
      rmSync(join(bin, t), { force: true });
      symlinkSync(p, join(bin, t));
    }
    const script = `trap '' PIPE
clock_start
now_rt; a=$RT
now_rt; b=$RT
echo "$CLOCK $a $b"`;
    const shellBin = spawnSync('sh', ['-c', `command -v ${shell[0]}`], { encoding: 'utf8' });
    const full = [shellBin.stdout.trim(), ...shell.slice(1)];
    for (const stdbuf of [null, '#!/bin/sh\nexit 125\n']) {
      rmSync(join(bin, 'stdbuf'), { force: true });
      if (stdbuf) {
        writeFileSync(join(bin, 'stdbuf'), stdbuf);
        chmodSync(join(bin, 'stdbuf'), 0o755);
      }
      const r = sh(full, locale, script, { PATH: bin });
      const [clock, a, b] = r.out.toString().trim().split(' ');
      expect(clock, String(stdbuf)).toBe('off');
      expect(a).toMatch(/^\d{19}$/);
      expect(b).toMatch(/^\d{19}$/);
      expect(Number(b) >= Number(a)).toBe(true);
    }
  });
});

// The silent clock's cases, under the same titles: suites of their own, run side by side.
describe.concurrent.each(SHELLS)(
  'host-lib.sh without processes, under %s',
  (_name, shell, locale) => {
    it.each(SILENT_FAULTS)(FAULT_TITLE, (...fault) => clockFault(_name, shell, locale, fault));
  },
);
