/**
 * The admin's OpenSSH client configuration (~/.ssh/config): which Host aliases it names, and what a
 * given alias resolves to, as `ssh -G alias` would print it for the keywords Quiesce uses. Parsing
 * is the `ssh-config` package's; the resolution (Include, pattern matching, first value wins) is
 * OpenSSH's rules from ssh_config(5), done here because the package neither follows Include nor
 * matches `?` and host names the way OpenSSH does. Pure: file reads go through `readText`.
 */
import SSHConfig, { LineType, type Line } from 'ssh-config';
import { posix } from 'node:path';

export interface SshConfigSources {
  /** The config file itself (usually ~/.ssh/config). */
  path: string;
  /** The local user's home directory, for `~`, relative Include and %d. */
  home: string;
  /** The local user name, for the User default and %u. */
  localUser: string;
  /** Reads a file; undefined where it does not exist. */
  readText(path: string): string | undefined;
  /** File names in a directory, for Include globs; [] where it does not exist. */
  listDir(dir: string): string[];
}

export interface JumpHop {
  /** As written: an alias (resolved through the config again) or an address. */
  host: string;
  user?: string;
  port?: number;
}

export interface ResolvedSshHost {
  alias: string;
  hostName: string;
  port: number;
  user: string;
  /** As written (tokens and ~ unexpanded, like `ssh -G`); every IdentityFile line counts. */
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Empty when there is none (or `ProxyJump none`). */
  proxyJump: JumpHop[];
}

/**
 * ssh_config(5) PATTERNS: `*` any run, `?` exactly one character. OpenSSH lower-cases the pattern,
 * not the name it is given: `Host web1` does not apply to `ssh WEB1` (checked with `ssh -G`).
 */
export function matchesPattern(pattern: string, text: string): boolean {
  const re = pattern
    .toLowerCase()
    .replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(text);
}

/** A Host line's pattern list: any negated match excludes, else any positive match includes. */
export function matchesPatternList(patterns: string[], text: string): boolean {
  let hit = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (matchesPattern(p.slice(1), text)) return false;
    } else if (matchesPattern(p, text)) hit = true;
  }
  return hit;
}

function values(line: Line): string[] {
  if (line.type !== LineType.DIRECTIVE) return [];
  const v = line.value;
  if (typeof v !== 'string') return v.map((x) => x.val);
  // A quoted value is one value (a path with spaces); lists are split only where ssh splits them.
  return line.quoted || !/^(host|include)$/i.test(line.param)
    ? [v]
    : v.split(/\s+/).filter(Boolean);
}

function expandTilde(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? posix.join(home, path.slice(2)) : path;
}

/** Include paths: relative ones are under ~/.ssh; globs in the last component only. */
function includeFiles(pattern: string, src: SshConfigSources): string[] {
  const abs = expandTilde(pattern, src.home);
  const full = posix.isAbsolute(abs) ? abs : posix.join(src.home, '.ssh', abs);
  const dir = posix.dirname(full);
  const base = posix.basename(full);
  if (!/[*?]/.test(base)) return [full];
  // OpenSSH takes glob(3) results in sorted order; glob skips dot files unless asked.
  return src
    .listDir(dir)
    .filter((n) => !n.startsWith('.') && new RegExp(`^${globRe(base)}$`).test(n))
    .sort()
    .map((n) => posix.join(dir, n));
}

function globRe(p: string): string {
  return p
    .replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
}

interface Visit {
  /** Each directive that applies, in file order (Include expanded in place). */
  (param: string, vals: string[]): void;
}

function walk(
  lines: readonly Line[],
  active: boolean,
  host: string | undefined,
  src: SshConfigSources,
  visit: Visit,
  onHostPatterns: (patterns: string[]) => void,
  depth: number,
  neverMatch = false,
): void {
  // OpenSSH refuses deeper nesting (READCONF_MAX_DEPTH 16); also stops Include loops.
  if (depth > 16) throw new Error('ssh config: Include nested too deeply');
  for (const line of lines) {
    if (line.type !== LineType.DIRECTIVE) continue;
    const param = line.param.toLowerCase();
    if (param === 'host' && 'config' in line) {
      const patterns = values(line);
      onHostPatterns(patterns);
      const on = !neverMatch && host !== undefined && matchesPatternList(patterns, host);
      walk(line.config, on, host, src, visit, onHostPatterns, depth, neverMatch);
    } else if (param === 'match' && 'config' in line) {
      // Match blocks are not evaluated: treated as never matching (Match-less configs only).
      walk(
        line.config,
        false,
        host,
        src,
        () => undefined,
        () => undefined,
        depth,
      );
    } else if (param === 'include') {
      for (const pattern of values(line)) {
        for (const file of includeFiles(pattern, src)) {
          const text = src.readText(file);
          if (text === undefined) continue;
          // As readconf.c: an Include in a block that does not apply matches nothing at all, and the
          // included file's own Host lines do not change the including block's state.
          walk(
            SSHConfig.parse(text),
            active,
            host,
            src,
            visit,
            onHostPatterns,
            depth + 1,
            neverMatch || !active,
          );
        }
      }
    } else if (active) {
      visit(param, values(line));
    }
  }
}

function load(src: SshConfigSources): SSHConfig {
  return SSHConfig.parse(src.readText(src.path) ?? '');
}

/** The Host aliases the config names concretely (no wildcard, no negation): what "Add host" offers. */
export function listHostAliases(src: SshConfigSources): string[] {
  const out = new Set<string>();
  walk(
    load(src),
    false,
    undefined,
    src,
    () => undefined,
    (patterns) => {
      for (const p of patterns) if (!/[*?!]/.test(p)) out.add(p);
    },
    0,
  );
  return [...out];
}

/** `[user@]host[:port]` hops, comma-separated, or `ssh://[user@]host[:port]`. */
export function parseProxyJump(value: string): JumpHop[] {
  if (value.toLowerCase() === 'none') return [];
  return value.split(',').map((raw) => {
    let s = raw.trim().replace(/^ssh:\/\//i, '');
    let user: string | undefined;
    const at = s.lastIndexOf('@');
    if (at >= 0) {
      user = s.slice(0, at);
      s = s.slice(at + 1);
    }
    let port: number | undefined;
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
    if (bracket) {
      s = bracket[1]!;
      if (bracket[2]) port = Number(bracket[2]);
    } else {
      const m = /^([^:]+):(\d+)$/.exec(s);
      if (m) {
        s = m[1]!;
        port = Number(m[2]);
      }
    }
    return { host: s, ...(user ? { user } : {}), ...(port ? { port } : {}) };
  });
}

/** What `ssh -G alias` says for the keywords Quiesce uses: first value wins, IdentityFile adds up. */
export function resolveHost(src: SshConfigSources, alias: string): ResolvedSshHost {
  const first = new Map<string, string[]>();
  const identityFiles: string[] = [];
  walk(
    load(src),
    true,
    alias,
    src,
    (param, vals) => {
      if (param === 'identityfile') identityFiles.push(...vals);
      else if (!first.has(param)) first.set(param, vals);
    },
    () => undefined,
    0,
  );
  const one = (k: string) => first.get(k)?.join(' ');
  // ssh lower-cases the host name once the config is read.
  const hostName = (one('hostname') ?? alias)
    .replace(/%h/g, alias)
    .replace(/%%/g, '%')
    .toLowerCase();
  return {
    alias,
    hostName,
    port: Number(one('port') ?? 22),
    user: one('user') ?? src.localUser,
    identityFiles,
    identitiesOnly: one('identitiesonly')?.toLowerCase() === 'yes',
    proxyJump: parseProxyJump(one('proxyjump') ?? 'none'),
  };
}

/**
 * An IdentityFile path as ssh opens it: `~` and the common tokens of ssh_config(5) TOKENS
 * (%d home, %u local user, %h host name, %r remote user, %p port, %n alias, %%).
 */
export function expandIdentityFile(path: string, host: ResolvedSshHost, src: SshConfigSources) {
  const tokens: Record<string, string> = {
    '%': '%',
    d: src.home,
    u: src.localUser,
    h: host.hostName,
    r: host.user,
    p: String(host.port),
    n: host.alias,
  };
  const expanded = expandTilde(path, src.home).replace(
    /%(.)/g,
    (whole, t: string) => tokens[t] ?? whole,
  );
  return posix.isAbsolute(expanded) ? expanded : posix.join(src.home, expanded);
}
